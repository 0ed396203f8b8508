import { z } from 'zod';
import { chat, defineAction, defineAgent, importAgent, inspectAgent } from '../src/index';

const localTime = defineAction({
  name: 'local_time',
  description: 'Returns the local time.',
  input: z.object({ city: z.string().default('Chicago') }),
  run: ({ city }) => ({ city, time: '09:30' }),
});

const yaml = `
version: 1
agent:
  id: time_agent
  model: openai:gpt-4o-mini
  instructions: Call local_time when asked for the time.
tools:
  actions:
    - local_time
`;

const spec = importAgent(yaml, { actions: { local_time: localTime } });

// The TypeScript path gives the same spec.
const same = defineAgent({
  id: 'time_agent',
  model: 'openai:gpt-4o-mini',
  instructions: 'Call local_time when asked for the time.',
  tools: { actions: [localTime] },
});
console.log(JSON.stringify(inspectAgent(spec)) === JSON.stringify(inspectAgent(same))); // true

// A fake model: ask for the tool once, then answer from its output.
const answer = await chat(spec, 'What time is it in Chicago?', {
  llm: (_intent, journal) =>
    journal.results.length === 0
      ? { type: 'operation', name: 'local_time', arguments: { city: 'Chicago' } }
      : { type: 'final', content: `It is ${(journal.results[1]!.output as { time: string }).time}.` },
});
console.log(answer); // It is 09:30.
