// The topology page: reads api/topology every second and draws this node, its peers and the path
// each takes (SVG), and a table of every peer's paths and traffic. See docs/architecture.md.
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const POLL_MS = 1000;
  const RADIUS = 200;
  const graph = document.getElementById('graph');
  const rows = document.querySelector('#peers tbody');
  const selfName = document.getElementById('self-name');
  const summary = document.getElementById('summary');
  const status = document.getElementById('status');

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function html(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const label = (p) => p.name || p.short;

  function rate(v) {
    if (v === null || v === undefined) return '–';
    const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
    let i = 0;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    return (i === 0 ? Math.round(v) : v.toFixed(1)) + ' ' + units[i];
  }

  function bytes(v) {
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }

  function rtt(v) {
    if (v === null || v === undefined) return '';
    return v < 1 ? v.toFixed(2) + ' ms' : v < 100 ? v.toFixed(1) + ' ms' : Math.round(v) + ' ms';
  }

  function ago(ms) {
    if (ms === null || ms === undefined) return 'never';
    const s = Math.floor(ms / 1000);
    return s < 120 ? s + ' s ago' : s < 7200 ? Math.floor(s / 60) + ' min ago' : Math.floor(s / 3600) + ' h ago';
  }

  function describe(path, peersByKey) {
    let where;
    if (path.kind === 'relayed') {
      const relay = peersByKey.get(path.via);
      where = 'relayed via ' + (relay ? label(relay) : path.via.slice(0, 8));
    } else {
      where = path.kind + ' ' + path.address;
    }
    return path.rttMillis === null ? where : where + ' · ' + rtt(path.rttMillis);
  }

  function drawGraph(t, peersByKey) {
    graph.replaceChildren();
    const at = new Map([[t.node.key, { x: 0, y: 0 }]]);
    t.peers.forEach((p, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, t.peers.length);
      at.set(p.key, { x: Math.round(RADIUS * 1.6 * Math.cos(a)), y: Math.round(RADIUS * Math.sin(a)) });
    });
    const edges = svg('g', { class: 'edges' });
    const nodes = svg('g', { class: 'nodes' });
    for (const p of t.peers) {
      const path = p.paths.find((x) => x.inUse);
      if (!path) continue;
      const from = path.kind === 'relayed' && at.has(path.via) ? at.get(path.via) : at.get(t.node.key);
      const to = at.get(p.key);
      edges.append(svg('line', {
        class: 'edge', 'data-peer': p.key, 'data-kind': path.kind === 'relayed' ? 'relayed' : 'direct',
        'data-via': path.via || '', 'data-state': p.state, x1: from.x, y1: from.y, x2: to.x, y2: to.y,
      }));
      if (path.rttMillis !== null) {
        edges.append(svg('text', { class: 'edge-label', x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 - 4 }, rtt(path.rttMillis)));
      }
    }
    const self = svg('g', { class: 'node self', 'data-key': t.node.key, transform: 'translate(0,0)' });
    self.append(svg('title', {}, 'this node ' + t.node.key + ' on ' + t.node.address), svg('circle', { r: 24 }),
      svg('text', { class: 'label', y: 42 }, label(t.node)));
    nodes.append(self);
    for (const p of t.peers) {
      const { x, y } = at.get(p.key);
      const g = svg('g', { class: 'node peer', 'data-key': p.key, 'data-state': p.state, transform: `translate(${x},${y})` });
      g.append(svg('title', {}, p.key + ' (' + p.state + ')'), svg('circle', { r: 18 }),
        svg('text', { class: 'label', y: 36 }, label(p)),
        svg('text', { class: 'rates', y: 52 }, p.state === 'up' ? '↓' + rate(p.rxBytesPerSecond) + ' ↑' + rate(p.txBytesPerSecond) : 'down'));
      nodes.append(g);
    }
    graph.append(edges, nodes);
  }

  function drawTable(t, peersByKey) {
    const out = [];
    for (const p of t.peers) {
      const tr = html('tr', { class: 'peer', 'data-key': p.key, 'data-state': p.state });
      const name = html('td', { class: 'name', title: p.key }, label(p));
      const paths = html('ul', { class: 'paths' });
      for (const path of p.paths) {
        paths.append(html('li', {
          class: 'path', 'data-kind': path.kind, 'data-in-use': String(path.inUse), 'data-usable': String(path.usable),
          'data-via': path.via || '', 'data-address': path.address || '',
        }, describe(path, peersByKey)));
      }
      const pathCell = html('td', { class: 'paths' });
      pathCell.append(paths);
      tr.append(name, html('td', { class: 'state' }, p.state), pathCell,
        html('td', { class: 'num rx-rate' }, rate(p.rxBytesPerSecond)),
        html('td', { class: 'num tx-rate' }, rate(p.txBytesPerSecond)),
        html('td', { class: 'handshake' }, ago(p.lastHandshakeAgoMillis)),
        html('td', { class: 'num rx-bytes' }, bytes(p.rxBytes)),
        html('td', { class: 'num tx-bytes' }, bytes(p.txBytes)));
      out.push(tr);
    }
    rows.replaceChildren(...out);
  }

  function render(t) {
    const peersByKey = new Map(t.peers.map((p) => [p.key, p]));
    const up = t.peers.filter((p) => p.state === 'up').length;
    selfName.textContent = label(t.node);
    selfName.title = t.node.key;
    summary.textContent = `${t.node.address} · ${t.peers.length} peers, ${up} up · ` +
      new Date(t.takenAtMillis).toLocaleTimeString();
    drawGraph(t, peersByKey);
    drawTable(t, peersByKey);
  }

  function poll() {
    fetch('api/topology', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((t) => {
        render(t);
        document.body.dataset.connection = 'live';
        status.textContent = '';
      })
      .catch((e) => {
        document.body.dataset.connection = 'lost';
        status.textContent = 'no data from the node (' + e.message + '); trying again';
      })
      .finally(() => setTimeout(poll, POLL_MS));
  }

  poll();
})();
