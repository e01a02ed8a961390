/*
 * herald.js as an ES module: runs the classic script beside it, which defines globalThis.Herald,
 * and exports what it defined. No bundler and no build step: the script is the one source.
 *
 *   import Herald, { connect } from './herald.mjs';
 */
import './herald.js';

const Herald = globalThis.Herald;

export default Herald;
export const connect = Herald.connect;
export const transports = Herald.transports;
export const version = Herald.version;
