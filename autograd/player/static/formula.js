/*
 * The formula language in JavaScript: the runtime F of the code that
 * autograd.replay.javascript() generates from the op table.
 *
 * Each function mirrors its namesake in autograd/formula.py and is written the same way
 * (sigmoid and softplus without overflow, step(0) = 0, sign(0) = 0), so that the page
 * computes the numbers Python computes. Nothing here knows an op: the generated code
 * writes each op's forward and derivative formulas with these functions.
 * formatNumber(x, digits) writes a number as autograd.notation.number(x, ".<digits>g").
 */
var BackpropFormula = (function () {
  "use strict";

  var LEAKY_SLOPE = 0.01;  // autograd.formula.LEAKY_SLOPE (a test checks that they agree)

  // ---- the functions a formula may call ----------------------------------------------------

  function sigmoid(x) {
    // Never overflows: exp is only ever taken of a non-positive number.
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    var e = Math.exp(x);
    return e / (1 + e);
  }

  function softplus(x) {
    // log(1 + e^x) without overflow for large x.
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  // NaN passes through relu and leaky_relu, as in Python: only x <= 0 is cut.
  function relu(x) { return x <= 0 ? 0 : x; }
  function leakyRelu(x) { return x <= 0 ? LEAKY_SLOPE * x : x; }
  // 1 where x > 0, else 0 (ReLU'(0) = 0); -1, 0 or 1 (abs'(0) = 0).
  function step(x) { return x > 0 ? 1 : 0; }
  function sign(x) { return (x > 0) - (x < 0); }

  // ---- domain errors -----------------------------------------------------------------------

  class DomainError extends Error {
    // An op computed outside its domain; `op` is its name, `message` says where.
    constructor(op, message) {
      super(message);
      this.name = "DomainError";
      this.op = op;
    }
  }

  function finite(x) { return Number.isFinite(x); }

  function domainError(node, op, names, operands, value, wrt) {
    // The error for a number that is not finite: the op's result (wrt null) or its
    // derivative with respect to the input named wrt, at the operands' numbers, in the
    // Value at position `node` of the graph's order (kept as error.node).
    var at = names.map(function (name, i) {
      return name + " = " + formatNumber(operands[i], 4);
    }).join(", ");
    var what;
    if (wrt === null) {
      what = value !== value || operands.indexOf(0) >= 0
        ? "not defined" : "the result is too large for a number";
    } else {
      what = "the derivative" + (names.length > 1 ? " with respect to " + wrt : "") +
        (value !== value ? " is not defined" : " is infinite");
    }
    var error = new DomainError(op, op + ": " + what + " at " + at);
    error.node = node;
    error.inputs = names;
    return error;
  }

  // ---- numbers as Python writes them -------------------------------------------------------

  var bits = new DataView(new ArrayBuffer(8));

  function exactDecimal(x) {
    // A positive finite double's exact value: digits * 10^exponent. It is m * 2^e for
    // integers m, e; when e < 0 that is m * 5^-e * 10^e.
    bits.setFloat64(0, x);
    var high = bits.getUint32(0), biased = high >>> 20;
    var m = BigInt(high & 0xfffff) * 4294967296n + BigInt(bits.getUint32(4));
    var e = -1074;
    if (biased) { m += 4503599627370496n; e = biased - 1075; }
    if (e >= 0) return {digits: (m << BigInt(e)).toString(), exponent: 0};
    return {digits: (m * 5n ** BigInt(-e)).toString(), exponent: e};
  }

  function formatNumber(x, digits) {
    // Python's format(x, ".<digits>g"): `digits` significant digits rounded half to even,
    // trailing zeros dropped, an exponent (e-05, e+12) below 1e-4 or from 10^digits on;
    // as autograd.notation.number, zero is never written "-0".
    var p = digits === undefined ? 4 : Math.max(1, digits);
    if (x !== x) return "nan";
    if (x === Infinity || x === -Infinity) return x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    var exact = exactDecimal(Math.abs(x));
    var s = exact.digits;
    var power = s.length - 1 + exact.exponent;  // x = s[0].s[1:] * 10^power
    if (s.length > p) {
      var kept = s.slice(0, p), rest = s.slice(p);
      var odd = "13579".indexOf(kept[p - 1]) >= 0;
      if (rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || odd))) {
        kept = (BigInt(kept) + 1n).toString();
        if (kept.length > p) { kept = kept.slice(0, p); power += 1; }  // 9.9995 -> 10.00
      }
      s = kept;
    }
    s = s.replace(/0+$/, "");
    var text;
    if (power >= -4 && power < p) {
      if (power < 0) {
        text = "0." + "0".repeat(-power - 1) + s;
      } else {
        var whole = s.slice(0, power + 1);
        text = whole + "0".repeat(power + 1 - whole.length) +
          (s.length > power + 1 ? "." + s.slice(power + 1) : "");
      }
    } else {
      var size = Math.abs(power);
      text = s[0] + (s.length > 1 ? "." + s.slice(1) : "") + "e" + (power < 0 ? "-" : "+") +
        (size < 10 ? "0" : "") + size;
    }
    return (x < 0 ? "-" : "") + text;
  }

  return {
    exp: Math.exp, log: Math.log, sqrt: Math.sqrt, tanh: Math.tanh, sigmoid: sigmoid,
    relu: relu, leaky_relu: leakyRelu, softplus: softplus, abs: Math.abs, sin: Math.sin,
    cos: Math.cos, step: step, sign: sign,
    LEAKY_SLOPE: LEAKY_SLOPE, DomainError: DomainError, finite: finite,
    domainError: domainError, formatNumber: formatNumber
  };
})();
