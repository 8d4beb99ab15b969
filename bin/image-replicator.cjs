#!/usr/bin/env node
// The CLI runs from its TypeScript sources through tsx, so the installed command and `npm start`
// run exactly the code the tests run.
require('tsx/cjs');
require('../cli/main.ts');
