// PACCAR Solutions, simulated: a hash-routed single-page app over the API gateway, in plain
// JavaScript so the simulator builds with cargo alone. Routes, storage key, headers and error
// texts follow what is known of the real app (shared/docs/paccar-solutions.md).
'use strict';

const CONFIG = window.PNET_CONFIG || { gateway: '', hostedLogin: null };
const TOKEN_KEY = 'pnet.portal.encodedToken';
const CLIENT_ID = 'PaccarPortal';
const PAGE_SIZES = [10, 25, 50];
const WRONG_PASSWORD = 'The username or password you entered is not correct. Please try again.';
const LOCKED = 'Your account is locked. Please contact the administrator.';
const ACTIONS = [
  ['STOP_NOW', 'Stop Now'], ['SERVICE_NOW', 'Service Now'], ['SERVICE_SOON', 'Service Soon'],
  ['INFORMATIONAL', 'Informational'], ['NO_ACTION', 'No Action'], ['IN_REPAIR', 'In Repair'],
  ['COMING_SOON', 'Coming Soon'], ['NOT_COMMUNICATING', 'Not Communicating'],
];
const ACTION_LABEL = Object.fromEntries(ACTIONS);
const view = document.getElementById('view');

// --- the token, kept as the real app keeps it: a JSON string in localStorage ---
function storedToken() {
  try { return JSON.parse(localStorage.getItem(TOKEN_KEY)); } catch (_) { return null; }
}
function storeToken(token) { localStorage.setItem(TOKEN_KEY, JSON.stringify(token)); }

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function headers(token, json) {
  const h = { 'Accept': 'application/json, text/plain, */*', 'X-OEM': 'paccar' };
  if (token) h['X-Auth-Token'] = token;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function send(method, path, body, token) {
  const response = await fetch(CONFIG.gateway + path, {
    method, headers: headers(token, body !== undefined), body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (_) { /* an empty or non-JSON answer */ }
  if (!response.ok) throw new ApiError(response.status, (data && data.message) || response.statusText);
  return data;
}

// One refresh at a time: a refreshed token retires the old one.
let refreshing = null;
function refresh(token) {
  if (!refreshing) {
    refreshing = send('POST', '/refreshToken', { encodedToken: token }, token)
      .then((answer) => { storeToken(answer.encodedToken); return true; }, () => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

// A data call: on a 401, refresh once; if that cannot fix it, back to the sign-in page.
async function api(method, path, body) {
  const token = storedToken();
  try {
    return await send(method, path, body, token);
  } catch (error) {
    if (error.status !== 401) throw error;
    if (token && await refresh(token)) {
      try { return await send(method, path, body, storedToken()); } catch (again) { if (again.status !== 401) throw again; }
    }
    localStorage.removeItem(TOKEN_KEY);
    location.hash = '#/login?expired=1';
    throw error;
  }
}

// --- small DOM helpers ---
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function show(...nodes) { view.replaceChildren(...nodes); }
function chip(action) { return el('span', { class: 'chip', 'data-action': action }, ACTION_LABEL[action] || action); }
function localTime(iso) { return iso ? new Date(iso).toLocaleString() : ''; }
function get(doc, path) { return path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), doc); }
function failure(error) {
  return el('div', { class: 'card' }, el('p', { class: 'error-text', role: 'alert' },
    'Something went wrong while loading this page. Please try again later.'), el('p', {}, String(error.message || error)));
}

function parseRoute() {
  const hash = location.hash.replace(/^#/, '') || '/login';
  const [path, query = ''] = hash.split('?');
  return { path, params: new URLSearchParams(query) };
}

// --- sign-in ---
function loginView(params) {
  if (CONFIG.hostedLogin) {
    const state = Math.random().toString(36).slice(2);
    sessionStorage.setItem('pnet.login.state', state);
    const back = location.origin + '/';
    location.href = `${CONFIG.hostedLogin}?redirect_uri=${encodeURIComponent(back)}&state=${state}`;
    return show(el('p', { class: 'loading' }, 'Redirecting to sign-in…'));
  }
  const message = el('p', { class: 'error-text', role: 'alert', hidden: true });
  const form = el('form', { class: 'card login', novalidate: true },
    el('h1', {}, 'Sign in'),
    params.has('expired') ? el('p', { class: 'notice' }, 'Your session has expired. Please sign in again.') : null,
    el('label', { for: 'email' }, 'Email'),
    el('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true }),
    el('label', { for: 'password' }, 'Password'),
    el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    message,
    el('button', { type: 'submit' }, 'Sign In'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    message.hidden = true;
    try {
      const answer = await send('POST', '/userLogin',
        { username: form.email.value.trim(), password: form.password.value, clientId: CLIENT_ID });
      storeToken(answer.encodedToken);
      location.hash = '#/nav/dashboard';
    } catch (error) {
      message.textContent = error.status === 403 || error.status === 423 ? LOCKED
        : error.status === 401 ? WRONG_PASSWORD : 'The sign-in service is not available. Please try again later.';
      message.hidden = false;
      button.disabled = false;
    }
  });
  show(form);
}

async function callbackView(params) {
  const expected = sessionStorage.getItem('pnet.login.state');
  sessionStorage.removeItem('pnet.login.state');
  if (!params.get('code') || params.get('state') !== expected) {
    return show(el('div', { class: 'card' }, el('p', { class: 'error-text', role: 'alert' }, 'The sign-in could not be completed. Please try again.')));
  }
  show(el('p', { class: 'loading' }, 'Signing in…'));
  try {
    const answer = await send('POST', '/userLogin', { authorizationCode: params.get('code'), clientId: CLIENT_ID });
    storeToken(answer.encodedToken);
    location.replace('#/nav/dashboard');
  } catch (error) {
    show(failure(error));
  }
}

// --- dashboard: one tile per recommended action, "N Vehicles, X% of fleet" ---
const SEARCH = { version: 2, exclude: ['health.*'] };
async function count(filter) {
  const answer = await api('POST', '/v2vehicles', { ...SEARCH, page: '0', pageSize: '1', sort: ['vin'], ...filter });
  return answer.responseDescription.totalHits;
}

async function dashboardView() {
  show(el('h1', {}, 'Dashboard'), el('p', { class: 'loading' }, 'Loading recommendations…'));
  const total = await count({});
  const counts = await Promise.all(ACTIONS.map(([code]) => count({ 'recommendation.faultGuidance.RecommendedAction': code })));
  const tiles = ACTIONS.map(([code, label], i) => el('a', {
    class: 'card tile', 'data-action': code, href: `#/nav/vehicle/list/?page=0&pageSize=50&sort=vin&action=${code}`,
  }, el('div', {}, label), el('div', { class: 'count' }, `${counts[i]} Vehicles`),
  el('div', { class: 'share' }, `${total ? Math.round((counts[i] * 100) / total) : 0}% of fleet`)));
  show(el('h1', {}, 'Dashboard'), el('p', {}, `${total} vehicles in your fleet`), el('section', { class: 'tiles' }, tiles));
}

// --- vehicle list: state in the URL ---
const COLUMNS = [
  ['VIN', 'vin'], ['Unit', 'basicInfo.unitNumber'], ['Year', 'chassisInfo.chassisModelYear'], ['Make', 'chassisInfo.make'],
  ['Model', 'chassisDetailInfo.model'], ['Recommendation', 'recommendation.faultGuidance.RecommendedAction'],
  ['Last Updated', 'locationInfo.lastUpdated'], ['DSN', 'deviceInfo.pmgInfo.pmgDsn'],
];

function listHash(params, changes) {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key); else next.set(key, value);
  }
  return `#/nav/vehicle/list/?${next}`;
}

async function vehicleListView(params) {
  const page = Math.max(0, Number(params.get('page')) || 0);
  const pageSize = PAGE_SIZES.includes(Number(params.get('pageSize'))) ? Number(params.get('pageSize')) : 50;
  const sort = params.get('sort') || 'vin';
  const action = params.get('action');
  show(el('h1', {}, 'Vehicles'), el('p', { class: 'loading' }, 'Loading vehicles…'));
  const filter = action ? { 'recommendation.faultGuidance.RecommendedAction': action } : {};
  const answer = await api('POST', '/v2vehicles', { ...SEARCH, page: String(page), pageSize: String(pageSize), sort: [sort], ...filter });
  const total = answer.responseDescription.totalHits;
  const head = el('tr', {}, COLUMNS.map(([label, path]) => {
    const next = sort === path ? `-${path}` : path;
    const mark = sort === path ? ' ▲' : sort === `-${path}` ? ' ▼' : '';
    return el('th', {}, el('a', { href: listHash(params, { sort: next, page: '0' }) }, label + mark));
  }));
  const rows = answer.data.map((v) => el('tr', { class: 'vehicle-row', 'data-vin': v.vin },
    el('td', {}, el('a', { href: `#/nav/vehicle/details/${v.vin}` }, v.vin)),
    el('td', {}, get(v, 'basicInfo.unitNumber')), el('td', {}, get(v, 'chassisInfo.chassisModelYear')),
    el('td', {}, get(v, 'chassisInfo.make')), el('td', {}, get(v, 'chassisDetailInfo.model')),
    el('td', {}, chip(get(v, 'recommendation.faultGuidance.RecommendedAction'))),
    el('td', {}, localTime(get(v, 'locationInfo.lastUpdated'))), el('td', {}, get(v, 'deviceInfo.pmgInfo.pmgDsn'))));
  const sizes = el('select', { 'aria-label': 'Rows per page', onchange: (e) => { location.hash = listHash(params, { pageSize: e.target.value, page: '0' }); } },
    PAGE_SIZES.map((n) => el('option', { value: n, selected: n === pageSize }, n)));
  const last = Math.max(0, Math.ceil(total / pageSize) - 1);
  const pager = el('div', { class: 'pager' }, 'Rows per page', sizes,
    `${total ? page * pageSize + 1 : 0}–${Math.min(total, (page + 1) * pageSize)} of ${total}`,
    el('a', { class: 'button', 'aria-label': 'Previous page', href: page > 0 ? listHash(params, { page: String(page - 1) }) : null }, '‹'),
    el('a', { class: 'button', 'aria-label': 'Next page', href: page < last ? listHash(params, { page: String(page + 1) }) : null }, '›'));
  const title = action ? ['Vehicles · ', chip(action), ' ', el('a', { href: listHash(params, { action: null, page: '0' }) }, 'show all')] : ['Vehicles'];
  show(el('h1', {}, title), el('div', { class: 'card' },
    rows.length ? el('table', { class: 'vehicle-table' }, el('thead', {}, head), el('tbody', {}, rows))
      : el('p', { class: 'empty' }, 'No vehicles match.'), pager));
}

// --- vehicle details with its fault log ---
const FAULT_COLUMNS = ['Message Type', 'Recommendation', 'Status', 'System', 'Code', 'Description', 'Mileage', 'SPN', 'FMI', 'Local Time'];
const FILTERS = [['active', 'Active', true], ['inactive', 'Inactive', false], ['guidance', 'Enhanced Vehicle Guidance', true]];

function shown(fault, on) {
  if (fault.messageType === 'Enhanced Vehicle Guidance') return on.guidance;
  return fault.status === 'ACTIVE' ? on.active : on.inactive;
}

async function vehicleDetailsView(vin) {
  show(el('p', { class: 'loading' }, 'Loading vehicle…'));
  let vehicle;
  try {
    vehicle = await api('GET', `/v2vehicles/${encodeURIComponent(vin)}`);
  } catch (error) {
    if (error.status === 404) return show(el('div', { class: 'card' }, el('p', { class: 'error-text', role: 'alert' }, `No vehicle with VIN ${vin} in your fleet.`)));
    throw error;
  }
  const faults = [];
  for (let page = 0; ; page += 1) {
    const answer = await api('GET', `/v2vehicles/${encodeURIComponent(vin)}/faults?page=${page}&pageSize=100`);
    faults.push(...answer.data);
    if (answer.data.length === 0 || faults.length >= answer.responseDescription.totalHits) break;
  }
  const on = Object.fromEntries(FILTERS.map(([key, , initial]) => [key, initial]));
  const body = el('tbody');
  const render = () => {
    const rows = faults.filter((f) => shown(f, on)).map((f) => el('tr', { class: 'fault-row', 'data-status': f.status },
      el('td', {}, f.messageType), el('td', {}, chip(get(f, 'faultGuidance.RecommendedAction'))),
      el('td', {}, f.status === 'ACTIVE' ? 'Active' : 'Inactive'), el('td', {}, f.system),
      el('td', {}, get(f, 'faultGuidance.DTCCode')), el('td', {}, get(f, 'faultGuidance.description')),
      el('td', {}, Math.round(get(f, 'miscHeader.mileage') || 0).toLocaleString()),
      el('td', {}, get(f, 'faultHeader.suspectParameterNumber')), el('td', {}, get(f, 'faultHeader.failureModeIdentifier')),
      el('td', {}, localTime(get(f, 'miscHeader.triggerTime')))));
    body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: FAULT_COLUMNS.length }, 'No faults to show.'))]));
  };
  const filters = el('div', { class: 'filters', role: 'group', 'aria-label': 'Status' }, FILTERS.map(([key, label]) => el('button', {
    class: 'filter', type: 'button', 'aria-pressed': String(on[key]),
    onclick: (e) => { on[key] = !on[key]; e.target.setAttribute('aria-pressed', String(on[key])); render(); },
  }, label)));
  render();
  const action = get(vehicle, 'recommendation.faultGuidance.RecommendedAction');
  show(el('section', { class: 'card' },
    el('div', { class: 'vehicle-header' }, el('h1', {}, `${get(vehicle, 'basicInfo.description')} · Unit ${get(vehicle, 'basicInfo.unitNumber')}`), chip(action)),
    el('div', { class: 'vehicle-header' }, el('dl', {},
      el('dt', {}, 'VIN'), el('dd', {}, vehicle.vin),
      el('dt', {}, 'DSN'), el('dd', {}, get(vehicle, 'deviceInfo.pmgInfo.pmgDsn')),
      el('dt', {}, 'Last updated'), el('dd', {}, localTime(get(vehicle, 'locationInfo.lastUpdated'))))),
    el('h2', {}, 'Fault Log'), filters,
    el('table', { class: 'fault-table' }, el('thead', {}, el('tr', {}, FAULT_COLUMNS.map((c) => el('th', {}, c)))), body)));
}

// --- the router ---
async function route() {
  const { path, params } = parseRoute();
  const signedIn = Boolean(storedToken());
  document.getElementById('toolbar').hidden = !signedIn || path.startsWith('/login');
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.classList.toggle('active', path.includes(`/nav/${link.dataset.nav}`));
  }
  try {
    if (path === '/logout') { localStorage.clear(); location.hash = '#/login'; return; }
    if (path === '/auth/callback') return await callbackView(params);
    if (path.startsWith('/login')) { if (signedIn) { location.hash = '#/nav/dashboard'; return; } return loginView(params); }
    if (!signedIn) { location.hash = '#/login'; return; }
    if (path === '/nav/dashboard') return await dashboardView();
    if (path.startsWith('/nav/vehicle/list')) return await vehicleListView(params);
    const details = path.match(/^\/nav\/vehicle\/details\/([^/]+)/);
    if (details) return await vehicleDetailsView(decodeURIComponent(details[1]));
    location.hash = '#/nav/dashboard';
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return; // api() has already gone to #/login
    show(failure(error));
  }
}

window.addEventListener('hashchange', route);
route();
