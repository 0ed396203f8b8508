// A connector author's conformance run, outside any repository tooling:
//   npx tsx --conditions=source packages/conformance/examples/my-connector.ts
import { z } from 'zod';
import { defineConnector, defineOperation } from '@integration/contracts';
import { renderHuman, runConformance } from '@integration/conformance';

const weather = defineConnector({
  id: 'weather',
  auth: { type: 'api_token', requestedScopes: ['forecast:read'], leaseFields: ['api_key'] },
  catalog: { displayName: 'Weather' },
  operations: [
    defineOperation({
      id: 'weather.forecast.fetch',
      description: 'Fetch the forecast for a city',
      input: z.strictObject({ city: z.string().min(1) }),
      output: z.strictObject({ city: z.string(), celsius: z.number() }),
      scopes: ['forecast:read'],
      consumerSurface: { mode: 'common', normalizedId: 'forecast.fetch', actionName: 'weather_forecast_fetch' },
      async handler(input, ctx) {
        // A real connector would call its provider with ctx.lease.payload.api_key here.
        const celsius = input.city.length * 3;
        ctx.emit({ type: 'connector.weather.forecast.fetched', payload: { city: input.city } });
        await ctx.artifact({ type: 'tool_output', slug: 'forecast', content: { city: input.city, celsius } });
        return { city: input.city, celsius };
      },
    }),
  ],
  conformance: {
    fixtures: [
      {
        name: 'forecast for Oslo',
        capabilityId: 'weather.forecast.fetch',
        input: { city: 'Oslo' },
        lease: { subject: 'forecaster', payload: { api_key: 'fixture-api-key-0001' } },
        expect: { output: { city: 'Oslo', celsius: 12 }, eventTypes: ['connector.weather.forecast.fetched'], artifactTypes: ['tool_output'] },
      },
    ],
  },
});

const report = await runConformance(weather, { onProgress: (e) => e.type === 'suite.finished' && process.stderr.write(`${e.suite}: ${e.status}\n`) });
process.stdout.write(renderHuman(report));
process.exitCode = report.status === 'passed' ? 0 : 1;
