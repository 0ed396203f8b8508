/**
 * Semantic permission ids (Notion has no OAuth scopes: an integration's capabilities are set in
 * its settings and pages are shared with it). Policy checks them against the connection's grants.
 */
export const scopes = {
  identitySelf: 'notion.identity.self',
  contentRead: 'notion.content.read',
  contentInsert: 'notion.content.insert',
  contentUpdate: 'notion.content.update',
  commentInsert: 'notion.comment.insert',
} as const;

export const allScopes: string[] = Object.values(scopes).sort();
