/* backprop-lab's player: a computation graph's forward and backward pass, one step at a time.
 *
 * The page holds the drawing (an SVG laid out by Graphviz's dot, or laid out here by the
 * vendored viz.js), the graph as data (autograd/player/model.py) and a function generated
 * from the op table that recomputes every value and local derivative from the leaves'
 * numbers. Everything shown is recomputed here, so changing a leaf updates every number.
 * All user text (labels, names) is written with textContent: nothing is parsed as HTML.
 *
 * The JavaScript API (documented in the README): the root element carries
 * data-backprop-player and element.player offers stepForward(), stepBack(), reset(),
 * end(), setValue(label, number) and state().
 */
(function () {
  "use strict";
  // No "already defined" guard: a page may hold players saved by different versions, and
  // each mounts with the script next to it (players already mounted keep theirs).

  var FORWARD_FILL = "#e1d5f5";  // the Value a forward step computes (no role's colour)
  var STEP_FILL = "#f6b26b";     // the Value a backward step sends from (as draw(step=...))
  var RED = "#cc0000";           // the edges a step uses
  var PATH = "#8e24aa";          // a chosen leaf's chain-rule paths: purple, no role's hue
  var SPEEDS = [["slow", 1400], ["normal", 700], ["fast", 250]];
  var MEASURED = 40;  // steps measured for the header's tallest height (all, up to this many)
  var GAP = 6;  // px kept between the pinned header and the step's Value when scrolling

  function make(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function decode(x) {  // JSON has no NaN or infinities: they travel as strings
    return typeof x === "string" ? Number(x) : x;
  }

  function Player(root, data, compute) {
    var self = this;
    this.root = root;
    this.data = data;
    this.compute = data.live ? compute : null;
    this.F = window.BackpropFormula;
    this.nodes = data.nodes;
    this.edges = data.edges;
    this.nForward = data.forward.length;
    this.steps = this.nForward + data.backward.length;
    this.step = 0;
    this.order = {};  // node index -> its forward step (1-based)
    data.forward.forEach(function (k, s) { self.order[k] = s + 1; });
    this.edgesOf = this.nodes.map(function () { return []; });
    this.edges.forEach(function (e, i) { self.edgesOf[e.child][e.index] = i; });
    this.leafValues = data.leaves.map(function (k) { return decode(self.nodes[k].value); });
    this.values = this.nodes.map(function (n) { return decode(n.value); });
    this.locals = this.edges.map(function (e) { return decode(e.local); });
    this.chosen = null;
    this.timer = null;
    this.error = "";
    this.build();
    this.backward();
  }

  // ---- numbers ------------------------------------------------------------------------------

  Player.prototype.format = function (x) {
    return this.F.formatNumber(x, this.data.digits);
  };

  Player.prototype.recompute = function (leafValues) {
    // Every value and local derivative at these leaf numbers (throws F.DomainError).
    var out = this.compute(leafValues, this.F);
    var locals = this.edges.map(function (e) { return out.local[e.child][e.index]; });
    this.values = out.data;
    this.locals = locals;
    this.leafValues = leafValues;
    this.backward();
  };

  Player.prototype.backward = function () {
    // The backward pass as backward_steps runs it: from zero, root's gradient 1, then each
    // node in reverse topological order adds local * upstream to each parent's gradient.
    var n = this.nodes.length, grads = new Float64Array(n), changes = [], ends = [];
    var self = this;
    grads[this.data.root] = 1;
    this.data.backward.forEach(function (k) {
      var upstream = grads[k];
      self.edgesOf[k].forEach(function (e) {
        var p = self.edges[e].parent, before = grads[p];
        grads[p] += self.locals[e] * upstream;
        changes.push([p, grads[p], e, upstream, before]);
      });
      ends.push(changes.length);
    });
    this.changes = changes;
    this.ends = ends;
  };

  Player.prototype.gradsAt = function (step) {
    // Every gradient right after this step (zero, root's 1, during the forward pass).
    var grads = new Float64Array(this.nodes.length), b = step - this.nForward;
    grads[this.data.root] = 1;
    var upto = b > 0 ? this.ends[b - 1] : 0;
    for (var i = 0; i < upto; i++) grads[this.changes[i][0]] = this.changes[i][1];
    return grads;
  };

  Player.prototype.inBackward = function () {
    // After a backward step; a graph that is one leaf has none, its gradient is then 1.
    return this.step > this.nForward || (this.steps === 0);
  };

  Player.prototype.known = function (k) {  // is node k's value computed at this step?
    var s = this.order[k];
    return s === undefined || s <= this.step;
  };

  // ---- the page -----------------------------------------------------------------------------

  Player.prototype.build = function () {
    var self = this, root = this.root;
    root.tabIndex = 0;
    var header = make("div", "bp-header");  // stays in view while the drawing scrolls
    var bar = make("div", "bp-controls");
    function button(text, title, action) {
      var b = make("button", "bp-button", text);
      b.type = "button";
      b.title = title;
      b.setAttribute("aria-label", title);
      b.addEventListener("click", function () { action(); root.focus(); });
      bar.appendChild(b);
      return b;
    }
    button("|◀", "reset: before the first step (Home)", function () { self.pause(); self.reset(); });
    button("◀", "step back (←)", function () { self.pause(); self.stepBack(); });
    this.playButton = button("▶ play", "play or pause (space)", function () { self.toggle(); });
    button("▶", "step forward (→)", function () { self.pause(); self.stepForward(); });
    button("▶|", "end: after the last backward step (End)", function () { self.pause(); self.end(); });
    this.speed = make("select", "bp-speed");
    this.speed.title = "speed of play";
    SPEEDS.forEach(function (s, i) {
      var o = make("option", null, s[0]);
      o.value = String(s[1]);
      if (i === 1) o.selected = true;
      self.speed.appendChild(o);
    });
    this.speed.addEventListener("change", function () { if (self.timer) { self.pause(); self.toggle(); } });
    bar.appendChild(this.speed);
    this.counter = make("span", "bp-counter");  // the one step counter: phase, step, of how many
    this.counter.setAttribute("role", "status");
    bar.appendChild(this.counter);
    header.appendChild(bar);
    this.caption = make("div", "bp-caption");
    this.caption.setAttribute("aria-live", "polite");
    header.appendChild(this.caption);
    this.errorBox = make("div", "bp-error");
    this.errorBox.setAttribute("role", "alert");
    this.errorBox.hidden = true;
    header.appendChild(this.errorBox);
    // Above the drawing, where the eye is: what the colours mean, the step's arithmetic,
    // the leaves to change and the paths to show. The pinned header is as tall as this
    // step needs (it hides no more of the drawing than that); below it, in the flow, a
    // spacer makes up the difference to the tallest step, so that the drawing does not
    // jump from step to step.
    header.appendChild(this.key());
    this.panel = make("div", "bp-panel");
    header.appendChild(this.panel);
    var title = root.querySelector(".bp-title");
    if (title) root.appendChild(title);
    root.appendChild(header);
    this.header = header;
    this.room = make("div", "bp-room");
    this.room.setAttribute("aria-hidden", "true");
    root.appendChild(this.room);
    this.tallest = 0;  // px: the tallest header met so far (see measureHeader)
    window.addEventListener("resize", function () { self.measureHeader(); self.fitRoom(); });
    this.buildInputs();
    this.buildPaths();
    this.graph = root.querySelector(".bp-graph") || make("div", "bp-graph");
    root.appendChild(this.graph);
    this.tip = make("div", "bp-tip");
    this.tip.hidden = true;
    root.appendChild(this.tip);
    // A saved page gives the player every key; in a notebook, it takes them once clicked.
    var standalone = root.hasAttribute("data-standalone");
    (standalone ? document : root).addEventListener("keydown", function (ev) {
      var tag = ev.target && ev.target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
      var keys = {ArrowRight: "stepForward", ArrowLeft: "stepBack", Home: "reset", End: "end"};
      if (keys[ev.key]) { self.pause(); self[keys[ev.key]](); }
      else if (ev.key === " ") self.toggle();
      else return;
      ev.preventDefault();
      ev.stopPropagation();  // the notebook's own shortcuts leave these keys alone
    });
  };

  Player.prototype.key = function () {
    // The roles' colours as the drawing uses them (input, parameter, ...), then the
    // step's own colours: every colour of the drawing is named next to the controls.
    var key = make("div", "bp-key");
    function entry(fill, border, text, cls) {
      var item = make("span", "bp-key-item" + (cls ? " " + cls : ""));
      var swatch = make("span", "bp-swatch");
      swatch.style.background = fill;
      swatch.style.borderColor = border || "#888";
      item.appendChild(swatch);
      item.appendChild(make("span", null, text));
      key.appendChild(item);
    }
    (this.data.roles || []).forEach(function (r) {
      entry(r.fill, r.color, r.name, "bp-role bp-role-" + r.role);
    });
    entry(FORWARD_FILL, null, "a forward step's Value");
    entry(STEP_FILL, null, "a backward step's Value");
    entry(RED, RED, "the step's arrows", "bp-line");
    entry(PATH, PATH, "the chosen leaf's chain-rule paths", "bp-line");
    key.appendChild(make("span", "bp-rounding", "· numbers rounded to " + this.data.digits +
      " significant digits; products use the unrounded numbers"));
    return key;
  };

  Player.prototype.buildInputs = function () {
    var self = this, box = make("div", "bp-inputs");
    box.appendChild(make("div", "bp-heading", "Change an input or a parameter:"));
    this.fields = [];
    var seen = Object.create(null);  // labels met so far, to tell same-labelled leaves apart
    if (!this.data.live) box.appendChild(make("div", "bp-why", this.data.why));
    this.data.editable.forEach(function (k) {
      var node = self.nodes[k], v = self.values[k];
      var row = make("label", "bp-input");
      seen[node.label] = (seen[node.label] || 0) + 1;
      var twin = self.data.editable.filter(function (j) { return self.nodes[j].label === node.label; });
      row.appendChild(make("span", "bp-input-name",
        node.name + (twin.length > 1 ? " (" + seen[node.label] + " of " + twin.length + ")" : "")));
      var spread = Math.max(1, Math.abs(v)) * 2;
      var step = Math.pow(10, Math.floor(Math.log10(spread)) - 2);  // 0.01 for a spread of 2
      var slider = make("input");
      slider.type = "range";
      slider.min = String(v - spread);
      slider.max = String(v + spread);
      slider.step = String(step);
      slider.value = String(v);
      var field = make("input");
      field.type = "number";
      field.step = String(step * 10);  // the field's arrows: 0.1 for a spread of 2
      field.value = String(v);
      slider.disabled = field.disabled = !self.data.live;
      // each row changes its own leaf, even where several leaves share a label
      slider.addEventListener("input", function () { self.edit([k], slider.valueAsNumber); });
      field.addEventListener("input", function () { self.edit([k], field.valueAsNumber); });
      row.appendChild(slider);
      row.appendChild(field);
      box.appendChild(row);
      self.fields.push({slider: slider, field: field, node: k});
    });
    if (this.data.editable.length) this.root.appendChild(box);
  };

  Player.prototype.buildPaths = function () {
    var self = this, box = make("div", "bp-paths");
    var keys = this.data.explained;  // in the order of the sliders
    if (!keys.length) return;
    var row = make("label", "bp-heading", "Chain-rule paths of ");
    var select = make("select", "bp-choose");
    select.appendChild(make("option", null, "(choose a leaf)"));
    select.options[0].value = "";
    keys.forEach(function (k) {
      var o = make("option", null, self.nodes[Number(k)].name + ": " + self.data.paths[k].name);
      o.value = k;
      select.appendChild(o);
    });
    select.addEventListener("change", function () { self.choose(select.value || null); });
    row.appendChild(select);
    box.appendChild(row);
    this.pathText = make("div", "bp-path-text");
    box.appendChild(this.pathText);
    this.root.appendChild(box);
  };

  // The drawing: find each node's texts and each edge's shapes, once the SVG is in the page.
  Player.prototype.attach = function (svg) {
    var self = this;
    this.svg = svg;
    var groups = {};
    svg.querySelectorAll("g.node").forEach(function (g) {
      var title = g.querySelector("title");
      if (title) groups[title.textContent] = g;
    });
    this.shapes = {};
    this.marks = [];
    var missing = 0;  // numbers of the data the drawing has no place for (should be none)
    this.nodes.forEach(function (node, k) {
      var g = groups[node.id];
      if (!g || !node.drawn) return;
      var shape = g.querySelector("path, polygon, ellipse");
      if (shape) self.shapes[k] = {el: shape, group: g, fill: shape.getAttribute("fill")};
      var room = shape ? self.width(shape) - 8 : 0;
      var texts = g.querySelectorAll("text");
      node.marks.forEach(function (m) {  // one SVG text per line of the node
        var el = texts[m.line], shown = el ? el.textContent : "";
        // the words before the number as the SVG writes them (Graphviz may respace a label)
        var prefix = m.kind === "local" ? shown.slice(0, shown.lastIndexOf("= ") + 2) : m.prefix;
        if (!el || shown.indexOf(prefix) !== 0 || (m.kind === "local" && prefix.length < 2)) {
          missing++;
          return;
        }
        var perChar = self.centre(el);
        self.marks.push({el: el, node: k, kind: m.kind, edge: m.edge, prefix: prefix,
                         perChar: perChar, room: room});
      });
    });
    // Graphviz numbers edges in the order they were written (edge1, edge2, ...), which is
    // the order of `svg` in the data; the SVG lists them in another order.
    var edgeGroups = {}, byTitle = {};
    svg.querySelectorAll("g.edge").forEach(function (g) {
      edgeGroups[g.id] = g;
      var title = g.querySelector("title"), key = title ? title.textContent.split(":")[0] : "";
      (byTitle[key] = byTitle[key] || []).push(g);
    });
    this.edgeShapes = {};
    this.edges.forEach(function (e, i) {
      if (e.svg < 0) return;
      var key = self.nodes[e.parent].id + "->" + self.nodes[e.child].id;
      var g = edgeGroups["edge" + (e.svg + 1)];
      var title = g && g.querySelector("title");
      if (!title || title.textContent.split(":")[0] !== key) g = (byTitle[key] || []).shift();
      if (!g) return;
      var parts = Array.prototype.map.call(g.querySelectorAll("path, polygon"), function (s) {
        return {el: s, stroke: s.getAttribute("stroke"), fill: s.getAttribute("fill"),
                width: s.getAttribute("stroke-width")};
      });
      self.edgeShapes[i] = parts;
      g.setAttribute("data-edge", key);
      var title = g.querySelector("title");
      if (title) title.textContent = "";  // the tip below says more
      g.addEventListener("mouseenter", function (ev) { self.showTip(i, ev); });
      g.addEventListener("mousemove", function (ev) { self.showTip(i, ev); });
      g.addEventListener("mouseleave", function () {
        self.tip.hidden = true;
        self.hovered = null;
        self.paint(self.step - self.nForward);
      });
    });
    this.root.setAttribute("data-unattached", String(missing));
    if (missing) console.warn("backprop player: " + missing + " number(s) not found in the drawing");
    this.render();
  };

  Player.prototype.width = function (el) {
    try { return el.getBBox().width; } catch (err) { return 0; }  // not laid out yet
  };

  Player.prototype.centre = function (el) {
    // A number that changes keeps its centre where dot put it, however long it grows;
    // returns the width of one character, to keep a longer number inside its node.
    try {
      var box = el.getBBox();
      if (!box.width) return 0;
      el.setAttribute("x", String(box.x + box.width / 2));
      el.setAttribute("text-anchor", "middle");
      return box.width / Math.max(1, el.textContent.length);
    } catch (err) { return 0; }
  };

  Player.prototype.write = function (m, text) {
    m.el.textContent = text;
    if (m.perChar && m.room > 0 && m.perChar * text.length > m.room) {
      m.el.setAttribute("textLength", String(m.room));  // squeezed, not spilling out
      m.el.setAttribute("lengthAdjust", "spacingAndGlyphs");
    } else {
      m.el.removeAttribute("textLength");
    }
  };

  Player.prototype.edgeText = function (i) {
    var e = this.edges[i], known = this.known(e.child), parent = this.nodes[e.parent];
    if (parent.role === "constant") {
      return parent.name + " is a constant: no gradient goes back to it";
    }
    var value = known ? this.format(this.locals[i]) : "?";
    var formula = e.formula && e.formula !== value ? " = " + e.formula : "";
    return e.name + formula + " = " + value;
  };

  Player.prototype.showTip = function (i, ev) {
    this.tip.textContent = this.edgeText(i);
    this.tip.hidden = false;
    this.hovered = i;
    this.paint(this.step - this.nForward);
    var box = this.root.getBoundingClientRect();
    this.tip.style.left = (ev.clientX - box.left + 12) + "px";
    this.tip.style.top = (ev.clientY - box.top + 12) + "px";
  };

  // ---- showing a step -----------------------------------------------------------------------

  Player.prototype.render = function () {
    var self = this, b = this.step - this.nForward, grads = this.gradsAt(this.step);
    this.counter.textContent = this.counterText(b);
    this.counter.title = "step " + this.step + " of " + this.steps + " in all: " + this.nForward +
      " forward, then " + this.data.backward.length + " backward";
    this.playButton.textContent = this.timer ? "■ pause" : "▶ play";
    if (this.svg) {
      this.marks.forEach(function (m) {
        var text;
        if (m.kind === "data") text = self.known(m.node) ? self.format(self.values[m.node]) : "?";
        else if (m.kind === "grad") text = self.inBackward() ? self.format(grads[m.node]) : "?";
        else text = self.known(self.edges[m.edge].child) ? self.format(self.locals[m.edge]) : "?";
        self.write(m, m.prefix + text);
      });
      this.paint(b);
    }
    this.describeStep(b, grads);
    if (this.chosen !== null) this.showPaths();
    this.root.setAttribute("data-step", String(this.step));
    if (!this.tallest) this.measureHeader();
    this.fitRoom();
  };

  Player.prototype.counterText = function (b) {
    if (this.steps === 0) return "no step";
    if (this.step === 0) return "before the first step";
    if (b <= 0) return "forward step " + this.step + " of " + this.nForward;
    return "backward step " + b + " of " + this.data.backward.length;
  };

  // ---- the pinned header's height --------------------------------------------------------

  Player.prototype.measureHeader = function () {
    // The tallest the header gets, at this width: the steps likely to be tallest written
    // once each, measured, then the current step's written back. (A step found taller
    // later raises it then: see fitRoom.)
    var step = this.step, tallest = 0, self = this;
    if (!this.headerHeight()) return;  // not shown (a hidden notebook output): later
    this.candidates().forEach(function (s) {
      self.step = s;
      self.describeStep(s - self.nForward, self.gradsAt(s));
      tallest = Math.max(tallest, self.headerHeight());
    });
    this.step = step;
    this.describeStep(step - this.nForward, this.gradsAt(step));
    this.tallest = tallest;
  };

  Player.prototype.candidates = function () {
    // Every step of a small graph; of a large one, those with the most to say: the first
    // and last of each pass (their captions say more), the forward step with the longest
    // list of inputs, and the backward steps with the longest tables.
    var self = this, nF = this.nForward, all = [];
    for (var s = 0; s <= this.steps; s++) all.push(s);
    if (this.steps <= MEASURED) return all;
    function size(s) {  // text the step writes besides its caption: names in its list or table
      var k = s <= nF ? self.data.forward[s - 1] : self.data.backward[s - nF - 1];
      return self.nodes[k].parents.reduce(function (n, p) {
        var parent = self.nodes[p];
        return n + (parent.role === "constant" && s > nF ? 0 : 1 + parent.name.length / 40);
      }, 0);
    }
    var forward = all.slice(1, nF + 1).sort(function (a, b) { return size(b) - size(a); });
    var backward = all.slice(nF + 1).sort(function (a, b) { return size(b) - size(a); });
    return [0, 1, nF, nF + 1, this.steps].concat(forward.slice(0, 2), backward.slice(0, MEASURED));
  };

  Player.prototype.headerHeight = function () {
    return this.header.getBoundingClientRect().height;  // fractional: no pixel of drift
  };

  Player.prototype.fitRoom = function () {
    // The spacer under the header keeps the drawing where the tallest header puts it.
    var height = this.headerHeight();
    this.tallest = Math.max(this.tallest, height);
    this.room.style.height = Math.max(0, this.tallest - height) + "px";
  };

  Player.prototype.paint = function (b) {
    var self = this, focus = null, fill = null;
    Object.keys(this.shapes).forEach(function (k) {
      var s = self.shapes[k];
      s.el.setAttribute("fill", s.fill);
    });
    var lit = {};
    if (this.chosen !== null) {
      var factors = this.data.factors;
      this.data.paths[this.chosen].factors.forEach(function (f) {
        factors[f].edges.forEach(function (i) { lit[i] = PATH; });
      });
    }
    if (b > 0) { focus = this.data.backward[b - 1]; fill = STEP_FILL; }
    else if (this.step > 0) { focus = this.data.forward[this.step - 1]; fill = FORWARD_FILL; }
    this.svg.querySelectorAll("g.node[data-focus]").forEach(function (g) {
      g.removeAttribute("data-focus");
    });
    if (focus !== null) {
      if (this.shapes[focus]) {
        this.shapes[focus].el.setAttribute("fill", fill);
        this.shapes[focus].group.setAttribute("data-focus", b > 0 ? "backward" : "forward");
      }
      this.edgesOf[focus].forEach(function (i) { lit[i] = RED; });
    }
    Object.keys(this.edgeShapes).forEach(function (i) {
      var hovered = String(self.hovered) === i;
      self.edgeShapes[i].forEach(function (p) {
        var colour = lit[i];
        p.el.setAttribute("stroke", colour || p.stroke);
        if (p.fill && p.fill !== "none") p.el.setAttribute("fill", colour || p.fill);
        if (hovered) p.el.setAttribute("stroke-width", "4");
        else if (colour) p.el.setAttribute("stroke-width", "2.5");
        else if (p.width) p.el.setAttribute("stroke-width", p.width);
        else p.el.removeAttribute("stroke-width");
      });
    });
  };

  Player.prototype.describeStep = function (b, grads) {
    var self = this, nodes = this.nodes, panel = this.panel;
    panel.textContent = "";
    var root = nodes[this.data.root];
    if (this.steps === 0) {
      this.caption.textContent = root.name + " is a single Value: there is nothing to step " +
        "through, and its gradient with respect to itself is 1.";
      return;
    }
    if (this.step === 0) {
      this.caption.textContent = "Before the first step: only the leaves are known. Press → " +
        "(or ▶) to compute the forward pass, one value at a time" +
        (this.root.hasAttribute("data-standalone") ? "." : " (click the player first, so " +
         "that it gets your keys).");
      return;
    }
    if (b <= 0) {
      var k = this.data.forward[this.step - 1], node = nodes[k];
      var made = node.made && node.made !== node.name ? " = " + node.made : "";
      this.caption.textContent = node.name + made + " = " + this.format(this.values[k]) +
        (this.step === this.nForward ? ". The forward pass is done; → starts the backward pass." : "");
      var inputs = node.parents.filter(function (p) { return nodes[p].drawn; }).map(function (p) {
        return nodes[p].role === "constant" ? "the constant " + nodes[p].name
          : nodes[p].name + " = " + self.format(self.values[p]);
      });
      panel.appendChild(make("div", null, "from " + inputs.join(", ")));
      return;
    }
    var k2 = this.data.backward[b - 1], focus = nodes[k2], nB = this.data.backward.length;
    var upstream = this.changes.length && this.edgesOf[k2].length
      ? this.changes[this.ends[b - 1] - 1][3] : grads[k2];
    this.caption.textContent = focus.name +
      " has its gradient " + focus.grad_name + " = " + this.format(upstream) +
      " (the upstream gradient). It sends upstream × local derivative back to each of its " +
      "parents, against the arrows, where it adds to their gradient" +
      (b === nB ? ". Done: every gradient is now the one backward() gives from zero." : ".");
    var table = make("table", "bp-step");
    var head = make("tr");
    ["to", "local derivative", "upstream × local = contribution", "gradient before → after"]
      .forEach(function (h) { head.appendChild(make("th", null, h)); });
    table.appendChild(head);
    var start = b > 1 ? this.ends[b - 2] : 0;
    this.edgesOf[k2].forEach(function (i, j) {
      var e = self.edges[i], parent = nodes[e.parent], change = self.changes[start + j];
      if (parent.role === "constant") return;  // a number from the code: no gradient
      var local = self.locals[i], sent = local * upstream;
      var row = make("tr");
      row.appendChild(make("td", null, parent.name));
      row.appendChild(make("td", null, self.edgeText(i)));
      row.appendChild(make("td", null, self.format(upstream) + " × " + self.format(local) +
        " = " + self.format(sent)));
      row.appendChild(make("td", null, self.format(change[4]) + " → " + self.format(change[1])));
      table.appendChild(row);
    });
    panel.appendChild(table);
  };

  // ---- chain-rule paths of a chosen leaf ------------------------------------------------------

  Player.prototype.choose = function (key) {
    this.chosen = key;
    if (key === null) this.pathText.textContent = "";
    this.render();
  };

  Player.prototype.factorValue = function (f) {
    // ∂child/∂parent through unlabelled Values: forward from the parent along f's edges.
    var d = {}, self = this;
    d[f.parent] = 1;
    f.edges.forEach(function (i) {
      var e = self.edges[i];
      if (d[e.parent] !== undefined) d[e.child] = (d[e.child] || 0) + self.locals[i] * d[e.parent];
    });
    return d[f.child] || 0;
  };

  Player.prototype.showPaths = function () {
    var self = this, info = this.data.paths[this.chosen], box = this.pathText;
    var factors = this.data.factors;
    var k = Number(this.chosen), total = this.gradsAt(this.steps)[k];
    box.textContent = "";
    if (!info.count) {
      box.appendChild(make("div", null, info.name + " = 0: no path leads from " +
        this.nodes[k].name + " to " + this.nodes[this.data.root].name + "."));
      return;
    }
    var merged = info.factors.some(function (f) { return factors[f].edges.length > 1; });
    box.appendChild(make("div", null, info.name + " = " + this.format(total) +
      " (after the whole backward pass), the sum over " + info.count +
      (info.count === 1 ? " path" : " paths") + " of the product of the local derivatives " +
      "along each path" +
      (info.paths.length ? "." : " (too many to list: their arrows are drawn in purple).") +
      (merged ? " Unlabelled values between two labelled ones are merged into one factor." : "")));
    var values = {};
    info.factors.forEach(function (f) { values[f] = self.factorValue(factors[f]); });
    info.paths.forEach(function (path, n) {
      var names = path.map(function (f) { return factors[f].name; });
      var product = path.reduce(function (acc, f) { return acc * values[f]; }, 1);
      var numbers = path.map(function (f) {
        var s = self.format(values[f]);
        return s.charAt(0) === "-" ? "(" + s + ")" : s;
      });
      box.appendChild(make("div", "bp-path", "path " + (n + 1) + ": " + names.join(" · ") +
        " = " + numbers.join(" · ") + " = " + self.format(product)));
    });
  };

  // ---- the API --------------------------------------------------------------------------------

  Player.prototype.go = function (step) {
    this.step = Math.max(0, Math.min(this.steps, step));
    this.render();
    this.reveal();
    return this.state();
  };

  Player.prototype.reveal = function () {
    // Bring the step's Value into the room below the pinned header: the whole node, in the
    // middle of that room, or where it is taller than the room, its top just below the
    // header. The header may stick or not once scrolled, so measure again and correct.
    var b = this.step - this.nForward, k = null;
    if (b > 0) k = this.data.backward[b - 1];
    else if (this.step > 0) k = this.data.forward[this.step - 1];
    var shape = k === null ? null : this.shapes && this.shapes[k];
    if (!shape || !shape.group.getBoundingClientRect) return;
    var scroller = scrollParent(this.root);
    for (var tries = 0; tries < 3; tries++) {
      var delta = this.shift(shape.group.getBoundingClientRect(), scroller);
      if (Math.abs(delta) < 1) return;
      var before = scrollTop(scroller);
      scrollBy(scroller, delta);
      if (scrollTop(scroller) === before) return;  // at the end of the page: as near as it gets
    }
  };

  Player.prototype.shift = function (box, scroller) {
    // How far to scroll down (px, negative: up) to show `box` below the header; 0 if shown.
    var view = scroller ? scroller.getBoundingClientRect() : {top: 0, bottom: window.innerHeight};
    var viewBottom = Math.min(view.bottom, window.innerHeight);
    var top = Math.max(view.top, 0, this.header.getBoundingClientRect().bottom);
    var room = viewBottom - top;
    if (box.height + 2 * GAP > room) return box.top - (top + GAP);  // too tall: its top
    if (box.top >= top + 1 && box.bottom <= viewBottom - 1) return 0;
    return box.top - (top + (room - box.height) / 2);  // in the middle of the room
  };

  Player.prototype.stepForward = function () { return this.go(this.step + 1); };
  Player.prototype.stepBack = function () { return this.go(this.step - 1); };
  Player.prototype.reset = function () { return this.go(0); };
  Player.prototype.end = function () { return this.go(this.steps); };

  Player.prototype.toggle = function () {
    var self = this;
    if (this.timer) { this.pause(); return; }
    if (this.step >= this.steps) this.go(0);
    this.timer = setInterval(function () {
      if (self.step >= self.steps) self.pause();
      else self.stepForward();
    }, Number(this.speed.value));
    this.render();
  };

  Player.prototype.pause = function () {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.render();
  };

  Player.prototype.setValue = function (label, number) {
    // Recompute everything with the leaves labelled `label` at `number`; keep the step.
    // Returns true, or false (the page then shows why) on a domain error.
    var targets = this.data.editable.filter(function (k) { return this.nodes[k].label === label; }, this);
    if (!targets.length) {
      var known = this.data.editable.map(function (k) { return this.nodes[k].label; }, this);
      throw new Error("no input or parameter is labelled " + JSON.stringify(String(label)) +
        "; the labels are: " + known.join(", "));
    }
    if (!this.data.live) throw new Error(this.data.why);
    if (typeof number !== "number" || !isFinite(number)) {
      throw new Error("setValue(" + JSON.stringify(String(label)) + ", ...) needs a finite number");
    }
    return this.setLeaves(targets, number);
  };

  Player.prototype.setLeaves = function (targets, number) {
    var self = this, leaves = this.leafValues.slice();
    targets.forEach(function (k) { leaves[self.data.leaves.indexOf(k)] = number; });
    try {
      this.recompute(leaves);
    } catch (err) {
      if (!(err instanceof this.F.DomainError)) throw err;
      this.showError(this.explainError(err) + " The page keeps the last numbers that worked.");
      this.syncFields(targets, true);
      return false;
    }
    this.showError("");
    this.syncFields(targets, false);
    this.render();
    return true;
  };

  Player.prototype.syncFields = function (targets, failed) {
    // Each field and slider shows the number the graph uses; one that was refused is
    // marked, and reads its number again once the learner moves on.
    var self = this;
    this.fields.forEach(function (f) {
      var k = f.node, v = self.values[k], edited = targets.indexOf(k) >= 0;
      f.field.setAttribute("aria-invalid", failed && edited ? "true" : "false");
      if (v < Number(f.slider.min)) f.slider.min = String(v);  // a typed number far out
      if (v > Number(f.slider.max)) f.slider.max = String(v);
      if (document.activeElement !== f.slider) f.slider.value = String(v);
      if (document.activeElement !== f.field || !edited) f.field.value = String(v);
    });
  };

  Player.prototype.explainError = function (err) {
    // "log: not defined at a = 0" said in the graph's names: which Value, which input.
    var node = this.nodes[err.node], self = this;
    if (!node) return err.message + ".";
    var inputs = (err.inputs || []).map(function (name, i) {
      var parent = self.nodes[node.parents[i]];
      return parent && parent.name !== name ? name + " is " + parent.name : null;
    }).filter(Boolean);
    return "In " + node.name + ": " + err.message + (inputs.length ? " (" + inputs.join(", ") +
      ")" : "") + ".";
  };

  Player.prototype.edit = function (targets, number) {
    if (!this.data.live || !isFinite(number)) return;  // an empty field changes nothing
    this.setLeaves(targets, number);
  };

  Player.prototype.showError = function (text) {
    this.error = text;
    this.errorBox.textContent = text;
    this.errorBox.hidden = !text;
  };

  Player.prototype.state = function () {
    // Keyed by label, with no inherited keys (a label may be "constructor"); where Values
    // share a label, the last in topological order (the one nearest the root) is reported.
    var grads = this.gradsAt(this.step), self = this;
    var values = Object.create(null), gradients = Object.create(null);
    var backward = this.inBackward();
    this.nodes.forEach(function (n, k) {
      if (n.label === null) return;
      values[n.label] = self.values[k];
      gradients[n.label] = backward ? grads[k] : 0;
    });
    return {phase: backward ? "backward" : "forward", step: this.step, steps: this.steps,
            values: values, grads: gradients};
  };

  // ---- scrolling: the window, or the scrolling box a notebook shows its outputs in ---------

  function scrollParent(el) {
    // The nearest ancestor that scrolls (its box clips the player); null for the window.
    for (var p = el.parentElement; p && p !== document.body && p !== document.documentElement;
         p = p.parentElement) {
      var overflow = getComputedStyle(p).overflowY;
      if ((overflow === "auto" || overflow === "scroll" || overflow === "overlay") &&
          p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }

  function scrollTop(scroller) {
    return scroller ? scroller.scrollTop : window.pageYOffset;
  }

  function scrollBy(scroller, delta) {
    if (scroller) scroller.scrollTop += delta;
    else window.scrollBy({top: delta, left: 0, behavior: "instant"});
  }

  // ---- mounting -------------------------------------------------------------------------------

  function mount(root, compute) {
    var waiting = root.querySelector(".bp-noscript");
    if (waiting) waiting.remove();
    var data = JSON.parse(root.querySelector("script.bp-data").textContent);
    var player = new Player(root, data, compute);
    var api = {};
    ["stepForward", "stepBack", "reset", "end", "setValue", "state"].forEach(function (name) {
      api[name] = function () { return player[name].apply(player, arguments); };
    });
    root.player = api;
    var svg = player.graph.querySelector("svg");
    if (svg) {
      player.attach(svg);
      root.setAttribute("data-ready", "1");
      return;
    }
    player.render();
    // No SVG from dot: lay the graph out here with the vendored Graphviz (viz.js).
    window.backpropLabViz(root.querySelector('script[type="text/plain"]').textContent)
    .then(function (viz) {
      var drawn = viz.renderSVGElement(data.dot);
      drawn.removeAttribute("width");
      drawn.removeAttribute("height");
      player.graph.appendChild(drawn);
      player.attach(drawn);
      root.setAttribute("data-ready", "1");
    }).catch(function (err) {
      player.showError("The graph could not be laid out here: " + err);
      root.setAttribute("data-ready", "error");
    });
  }

  function mountScript(id, compute) {
    // Mount the player `id` names (an id, not the script's place: some notebook front ends
    // run a copy of an output's scripts elsewhere).
    var root = document.getElementById(id);
    if (!root || root.hasAttribute("data-mounted")) return;
    root.setAttribute("data-mounted", "1");
    mount(root, compute);
  }

  window.BackpropPlayer = {mount: mount, mountScript: mountScript};
})();
