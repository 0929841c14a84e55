/**
 * The /docs page: plain HTML plus a same-origin script that renders /openapi.json. No CDN (the
 * bureau's machines are offline) and no inline script (helmet's default Content-Security-Policy
 * allows scripts from 'self' only). Text is inserted with textContent, never as HTML.
 */

export const DOCS_SCRIPT_PATH = '/docs/docs.js';

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Stratum API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
  h1 { margin-bottom: 0.2rem; }
  .op { border: 1px solid #ccc; border-radius: 6px; margin: 0.8rem 0; padding: 0.6rem 0.8rem; }
  .method { display: inline-block; min-width: 4rem; font-weight: bold; text-transform: uppercase; }
  .get { color: #0a6; } .post { color: #06c; } .put, .patch { color: #a60; } .delete { color: #c00; }
  .path { font-family: ui-monospace, monospace; }
  .roles { color: #666; font-size: 0.9em; }
  pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; font-size: 12px; }
  summary { cursor: pointer; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
</style>
</head>
<body>
<h1 id="title">Stratum API</h1>
<p id="description">Loading <a href="/openapi.json">/openapi.json</a>...</p>
<div id="operations"></div>
<h2>Schemas</h2>
<div id="schemas"></div>
<script src="${DOCS_SCRIPT_PATH}"></script>
</body>
</html>
`;

export const DOCS_SCRIPT = `'use strict';
(function () {
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function block(title, value) {
    return el('details', {}, [el('summary', {}, [title]), el('pre', {}, [JSON.stringify(value, null, 2)])]);
  }
  function render(doc) {
    document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
    document.getElementById('description').textContent = doc.info.description || 'OpenAPI ' + doc.openapi;
    var root = document.getElementById('operations');
    Object.keys(doc.paths).sort().forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        var roles = op['x-stratum-roles'];
        var box = el('div', { class: 'op', id: op.operationId }, [
          el('div', {}, [
            el('span', { class: 'method ' + method }, [method]),
            el('span', { class: 'path' }, [path]),
            ' ',
            el('span', { class: 'roles' }, [roles === 'public' ? '(public)' : '(roles: ' + roles.join(', ') + ')']),
          ]),
          el('div', {}, [op.summary + ' [' + op.operationId + ']']),
        ]);
        if (op.description) box.appendChild(el('p', {}, [op.description]));
        if (op.parameters && op.parameters.length) {
          var rows = op.parameters.map(function (p) {
            return el('tr', {}, [el('td', {}, [p.name]), el('td', {}, [p.in]), el('td', {}, [p.required ? 'yes' : 'no']), el('td', {}, [JSON.stringify(p.schema)])]);
          });
          box.appendChild(el('table', {}, [el('tr', {}, [el('th', {}, ['parameter']), el('th', {}, ['in']), el('th', {}, ['required']), el('th', {}, ['schema'])])].concat(rows)));
        }
        if (op.requestBody) box.appendChild(block('request body', op.requestBody.content['application/json'].schema));
        Object.keys(op.responses).forEach(function (status) {
          var r = op.responses[status];
          var content = r.content ? r.content[Object.keys(r.content)[0]].schema : r.$ref || '(no body)';
          box.appendChild(block(status + ' ' + (r.description || ''), content));
        });
        root.appendChild(box);
      });
    });
    var schemas = document.getElementById('schemas');
    Object.keys((doc.components && doc.components.schemas) || {}).sort().forEach(function (name) {
      var b = block(name, doc.components.schemas[name]);
      b.id = 'schema-' + name;
      schemas.appendChild(b);
    });
  }
  fetch('/openapi.json').then(function (r) { return r.json(); }).then(render, function (e) {
    document.getElementById('description').textContent = 'Could not load /openapi.json: ' + e;
  });
})();
`;
