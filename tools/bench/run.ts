import { benchCall } from './call';
import { benchChat } from './chat';
import { benchDirect } from './direct';
import { benchDoc } from './doc';
import { benchProxy } from './proxy';
import { benchSfu } from './sfu';
import { progress } from './report';

const AREAS: Record<string, () => Promise<void>> = { call: benchCall, chat: benchChat, direct: benchDirect, doc: benchDoc, proxy: benchProxy, sfu: benchSfu };

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((a) => !AREAS[a]);
  if (unknown.length) {
    console.error(`Unknown benchmark area: ${unknown.join(', ')}. Areas: ${Object.keys(AREAS).join(', ')}.`);
    process.exit(2);
  }
  for (const area of wanted.length ? wanted : Object.keys(AREAS)) {
    progress(`area ${area}`);
    await AREAS[area]();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
