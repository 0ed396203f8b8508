import { newId } from '../../src/ids';

const at = Number(process.argv[2]);
console.log(JSON.stringify(Array.from({ length: 2000 }, () => newId('run', at))));
