/**
 * Loaded by network.js after the first render (dist/network-layout.js): the ForceAtlas2 web-worker
 * layout, betweenness centrality and the local shortest-path fallback. Kept out of network.js so that
 * the first picture does not wait for code it does not need.
 */
export { default as FA2Layout } from "graphology-layout-forceatlas2/worker";
export { inferSettings } from "graphology-layout-forceatlas2";
export { default as betweenness } from "graphology-metrics/centrality/betweenness";
export { bidirectional } from "graphology-shortest-path/unweighted";
export { default as closeness } from "graphology-metrics/centrality/closeness";
export { default as pagerank } from "graphology-metrics/centrality/pagerank";
