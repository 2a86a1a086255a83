// Preloaded by bun test (bunfig.toml) for every test file.
import { afterAll } from 'bun:test';
import { stopTestServer } from './ferret';

// Code that branches on the environment sees "test".
process.env.NODE_ENV ??= 'test';

// A preload's afterAll runs once, after the last test file: the only reliable moment to stop the
// shared FerretDB, since bun test fires no process 'exit' event.
afterAll(stopTestServer);
