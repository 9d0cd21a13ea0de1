#!/usr/bin/env node
'use strict'
// sigv4-conformance adapter (protocol 1) wrapping the npm package `aws4`.
//
// Reads one JSON message per line on stdin and writes exactly one JSON line
// per message on stdout, in order; exits at end of input. Run once per
// message (one-shot) it takes the same path. Diagnostics go to stderr only.
//
// How a message becomes aws4 options (protocol mapping only; whatever aws4
// then does with them is what the harness is meant to see):
//   - path + '?' + query        -> opts.path (aws4 parses and re-serialises it)
//   - headers [name, value]     -> opts.headers object; a repeated name (case-
//                                  insensitively) becomes an array of values,
//                                  as Node's http.request takes them
//   - body_base64               -> opts.body (a Buffer; omitted when empty)
//   - time                      -> an X-Amz-Date header (header signing) or
//                                  X-Amz-Date query parameter (presigning):
//                                  the only ways aws4 takes a fixed time
//   - expires_in                -> X-Amz-Expires query parameter (aws4 never
//                                  adds one itself except for S3)
//   - double_encode_path:false  -> doNotEncodePath: true
//   - payload:"unsigned" / content_sha256_header -> an X-Amz-Content-Sha256
//                                  header, which aws4 takes as the payload hash

const crypto = require('crypto')
const querystring = require('querystring')
const readline = require('readline')

// Keep stdout for protocol answers only.
const protocolOut = process.stdout
console.log = console.error
console.info = console.error
console.warn = console.error
console.debug = console.error

let aws4 = null
let aws4Version = 'unavailable'
let importError = null
try {
  aws4 = require('aws4')
  aws4Version = require('aws4/package.json').version
} catch (err) {
  importError = 'cannot load aws4 (run `npm ci` in adapters/aws4): ' + err.message
}

const PROTOCOL = 1
// Not listed: token-after-signing (aws4 always signs X-Amz-Security-Token).
// no-normalize-path holds only when the service is "s3" (aws4 keys its S3
// rules on the service name); other such cases are answered `unsupported`.
const FEATURES = [
  'header',
  'query',
  'session-token',
  'unsigned-payload',
  'content-sha256-header',
  'no-normalize-path',
  'no-double-encode',
]

class Unsupported extends Error {}
class BadMessage extends Error {}

function send(obj) {
  protocolOut.write(JSON.stringify(obj) + '\n')
}

function amzDate(text) {
  if (typeof text !== 'string') throw new BadMessage('`time` must be an RFC 3339 string')
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(text.trim())
  if (!m) throw new BadMessage('`time` is not RFC 3339: ' + JSON.stringify(text))
  const d = new Date(text.trim().replace(' ', 'T'))
  if (isNaN(d.getTime())) throw new BadMessage('`time` is not a valid instant: ' + JSON.stringify(text))
  // The same formatting aws4 applies to a Date (getDateTime()).
  return d.toISOString().replace(/[:\-]|\.\d{3}/g, '')
}

function headerObject(pairs) {
  if (!Array.isArray(pairs)) throw new BadMessage('request.headers must be a list of [name, value] pairs')
  const headers = {}
  const keyFor = new Map() // lower-case name -> the key used in `headers`
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string')
      throw new BadMessage('bad header pair ' + JSON.stringify(pair))
    const [name, value] = pair
    const lower = name.toLowerCase()
    if (!keyFor.has(lower)) {
      keyFor.set(lower, name)
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true })
    } else {
      const key = keyFor.get(lower)
      headers[key] = Array.isArray(headers[key]) ? headers[key].concat([value]) : [headers[key], value]
    }
  }
  return headers
}

function findHeader(headers, lower) {
  return Object.keys(headers).find((k) => k.toLowerCase() === lower)
}

function headerPairs(headers) {
  const out = []
  for (const key of Object.keys(headers)) {
    const value = headers[key]
    if (Array.isArray(value)) for (const v of value) out.push([key, String(v)])
    else if (value !== undefined) out.push([key, String(value)])
  }
  return out
}

function sign(msg) {
  if (importError) throw new Error(importError)
  const req = msg.request, creds = msg.credentials, options = msg.options || {}
  if (!req || typeof req !== 'object' || !creds || typeof creds !== 'object' || typeof options !== 'object')
    throw new BadMessage('sign needs `request`, `credentials` and `options` objects')

  const location = options.location === undefined ? 'header' : options.location
  const expiresIn = options.expires_in === undefined ? 3600 : options.expires_in
  const normalizePath = options.normalize_path !== false
  const doubleEncodePath = options.double_encode_path !== false
  const payload = options.payload === undefined ? 'signed' : options.payload
  const contentSha256Header = options.content_sha256_header === true
  const signSessionToken = options.sign_session_token !== false
  if (location !== 'header' && location !== 'query') throw new BadMessage('unknown options.location ' + JSON.stringify(location))
  if (payload !== 'signed' && payload !== 'unsigned') throw new BadMessage('unknown options.payload ' + JSON.stringify(payload))

  const token = creds.session_token == null ? undefined : creds.session_token
  if (token !== undefined && !signSessionToken)
    throw new Unsupported('aws4 always signs X-Amz-Security-Token; it cannot add the session token after signing')

  const service = msg.service
  const isS3 = service === 's3' // aws4 switches its S3 rules on this name alone
  if (isS3) {
    if (normalizePath) throw new Unsupported("aws4 never normalizes the path when the service is 's3'")
    if (doubleEncodePath) throw new Unsupported("aws4 always decodes then encodes once when the service is 's3'")
  } else if (!normalizePath) {
    throw new Unsupported("aws4 normalizes the path for every service but 's3' (here: " + JSON.stringify(service) + ')')
  }

  const headers = headerObject(req.headers === undefined ? [] : req.headers)
  const b64 = req.body_base64 == null ? '' : req.body_base64
  if (typeof b64 !== 'string' || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new BadMessage('request.body_base64 is not base64')
  const body = Buffer.from(b64, 'base64')
  const date = amzDate(msg.time)
  const path = typeof req.path === 'string' ? req.path : '/'
  let query = typeof req.query === 'string' ? req.query : ''

  const opts = {
    method: req.method,
    path: null,
    headers,
    service,
    region: msg.region,
  }
  if (body.length > 0) opts.body = body // an empty Buffer is truthy to aws4
  if (!doubleEncodePath && !isS3) opts.doNotEncodePath = true

  const contentKey = findHeader(headers, 'x-amz-content-sha256')
  if (location === 'header') {
    // aws4 takes a fixed time only from an X-Amz-Date (or Date) header, and
    // looks for it under exactly these two spellings.
    if (!('X-Amz-Date' in headers) && !('x-amz-date' in headers)) {
      if (findHeader(headers, 'x-amz-date') !== undefined)
        throw new Unsupported('aws4 recognises an X-Amz-Date header only spelled X-Amz-Date or x-amz-date; cannot fix the signing time')
      headers['X-Amz-Date'] = date
    }
    if (payload === 'unsigned') {
      if (!contentSha256Header)
        throw new Unsupported('aws4 takes UNSIGNED-PAYLOAD only from an X-Amz-Content-Sha256 header, which it then signs')
      if (contentKey === undefined) headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD'
    } else if (contentSha256Header) {
      // For service 's3' aws4 adds the header itself; for other services
      // its callers set it, and aws4 then signs the value as the payload hash.
      if (!isS3 && contentKey === undefined)
        headers['X-Amz-Content-Sha256'] = crypto.createHash('sha256').update(body).digest('hex')
    } else if (isS3) {
      throw new Unsupported("aws4 always adds and signs X-Amz-Content-Sha256 when the service is 's3'")
    }
  } else {
    if (isS3 && payload === 'signed')
      throw new Unsupported("aws4 presigns service 's3' with UNSIGNED-PAYLOAD only")
    if (!isS3 && payload === 'unsigned')
      throw new Unsupported('aws4 presigns only with the payload hash (or an X-Amz-Content-Sha256 header, which it would sign as a header)')
    // In signQuery mode aws4 takes the time from an X-Amz-Date query
    // parameter and the lifetime from X-Amz-Expires, both from opts.path.
    const present = query === '' ? {} : querystring.parse(query)
    const extra = []
    if (present['X-Amz-Date'] === undefined) extra.push('X-Amz-Date=' + date)
    if (present['X-Amz-Expires'] === undefined) extra.push('X-Amz-Expires=' + encodeURIComponent(String(expiresIn)))
    if (extra.length) query = query === '' ? extra.join('&') : query + '&' + extra.join('&')
    opts.signQuery = true
  }
  opts.path = query === '' ? path : path + '?' + query

  const credentials = { accessKeyId: creds.access_key_id, secretAccessKey: creds.secret_access_key }
  if (token !== undefined) credentials.sessionToken = token

  // aws4.sign(opts, credentials) is `new RequestSigner(opts, credentials).sign()`.
  // The stages are read first: after sign() a presigned query already holds
  // X-Amz-Signature, so canonicalString() would then differ from what was signed.
  const signer = new aws4.RequestSigner(opts, credentials)
  const canonicalRequest = signer.canonicalString()
  const stringToSign = signer.stringToSign()
  const signed = signer.sign()

  let signature
  if (location === 'query') {
    signature = signer.parsedPath.query['X-Amz-Signature']
  } else {
    const m = /Signature=([0-9a-f]+)/.exec(signed.headers.Authorization || '')
    signature = m ? m[1] : undefined
  }

  const target = String(signed.path)
  const q = target.indexOf('?')
  const answer = {
    type: 'signed',
    id: msg.id,
    request: {
      method: signed.method || 'GET',
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? '' : target.slice(q + 1),
      headers: headerPairs(signed.headers),
    },
    canonical_request: canonicalRequest,
    string_to_sign: stringToSign,
  }
  if (signature !== undefined) answer.signature = signature
  return answer
}

function handle(line) {
  let msg
  try {
    msg = JSON.parse(line)
  } catch (err) {
    return { type: 'error', id: null, message: 'message is not JSON: ' + err.message }
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
    return { type: 'error', id: null, message: 'message is not a JSON object' }
  const id = msg.id === undefined ? null : msg.id
  if (msg.type === 'hello')
    return { type: 'hello', protocol: PROTOCOL, name: 'aws4', version: aws4Version, features: FEATURES.slice() }
  if (msg.type === 'sign') {
    try {
      return sign(msg)
    } catch (err) {
      if (err instanceof Unsupported) return { type: 'unsupported', id, reason: err.message }
      if (err instanceof BadMessage) return { type: 'error', id, message: 'bad sign message: ' + err.message }
      console.error(err && err.stack ? err.stack : String(err))
      const name = err && err.name ? err.name : 'Error'
      return { type: 'error', id, message: 'library raised ' + name + ': ' + (err && err.message) }
    }
  }
  return { type: 'error', id, message: 'unknown message type ' + JSON.stringify(msg.type === undefined ? null : msg.type) }
}

function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false })
  rl.on('line', (line) => {
    if (line.trim() === '') return // a blank line is not a message
    let answer
    try {
      answer = handle(line)
    } catch (err) {
      console.error(err && err.stack ? err.stack : String(err))
      answer = { type: 'error', id: null, message: 'adapter bug: ' + String(err) }
    }
    send(answer)
  })
  // End of input: readline closes and, with nothing left to do, node exits
  // once stdout has been written out.
  rl.on('close', () => { process.exitCode = 0 })
  protocolOut.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}

main()
