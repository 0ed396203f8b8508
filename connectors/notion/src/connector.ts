import { defineConnector, type ConnectorDefinition } from '@integration/contracts';
import { notionConformance } from './conformance';
import { notionInstallBinding } from './install-binding';
import { blocksAppendChildren } from './operations/blocks-append-children';
import { blocksListChildren } from './operations/blocks-list-children';
import { commentsCreate } from './operations/comments-create';
import { dataSourcesQuery } from './operations/data-sources-query';
import { pagesCreate } from './operations/pages-create';
import { pagesRetrieve } from './operations/pages-retrieve';
import { pagesUpdate } from './operations/pages-update';
import { searchSearch } from './operations/search';
import { usersGetSelf } from './operations/users-get-self';
import { resolveOptions, type NotionOptions } from './options';
import { pagesRecentlyEdited } from './recently-edited-trigger';
import { allScopes } from './scopes';

/**
 * The Notion connector: nine direct operations over `@notionhq/client` (Notion-Version
 * 2025-09-03, data sources) and the `notion.pages.recently_edited` poll trigger.
 */
export function notion(options?: NotionOptions): ConnectorDefinition {
  const resolved = resolveOptions(options);
  return defineConnector({
    id: 'notion',
    auth: {
      type: 'oauth2',
      bindingKind: 'connection_id',
      requestedScopes: allScopes,
      leaseFields: ['access_token'],
      secretNames: [],
      oauth: {
        authorizationUrl: `${resolved.baseUrl}/v1/oauth/authorize`,
        tokenUrl: `${resolved.baseUrl}/v1/oauth/token`,
        // Notion's token endpoint takes HTTP Basic client credentials and documents no PKCE.
        tokenAuthMethod: 'client_secret_basic',
        pkce: false,
        // Notion's OAuth has no scopes; our requestedScopes are semantic permission ids.
        sendScope: false,
        extraAuthorizeParams: { owner: 'user' },
      },
      installBinding: notionInstallBinding,
    },
    catalog: {
      displayName: 'Notion',
      description: 'Search, read and write Notion pages, blocks, data sources and comments; poll for recently edited pages.',
      category: 'knowledge_management',
      tags: ['notion', 'docs', 'knowledge_base'],
      docsRefs: ['https://developers.notion.com/reference/intro', 'https://developers.notion.com/docs/upgrade-guide-2025-09-03'],
      maturity: 'beta',
      publication: 'public',
    },
    operations: [
      usersGetSelf(resolved),
      searchSearch(resolved),
      pagesCreate(resolved),
      pagesRetrieve(resolved),
      pagesUpdate(resolved),
      blocksListChildren(resolved),
      blocksAppendChildren(resolved),
      dataSourcesQuery(resolved),
      commentsCreate(resolved),
    ],
    triggers: [pagesRecentlyEdited(resolved)],
    conformance: notionConformance((baseUrl) => notion({ ...options, baseUrl })),
    metadata: {
      provider: 'notion',
      providerSdk: '@notionhq/client',
      notionVersion: resolved.notionVersion,
      publishedSlice: 'a0_content_publishing',
      publishedTriggerSlice: 'recent_page_edits',
    },
  });
}
