package io.portmesh.loadtest.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code report.html}: the report in one offline file. The report's JSON and the charting library (uPlot 1.6.32, MIT,
 * kept in this package's resources with its license) are inlined; the page draws the figures, SLOs, violations and
 * faults as tables and charts acknowledged ops per second, the slowest bind per second and frames lost over time, with
 * every fault marked (red: injected, green: its victim restarted), and each op's latency distribution.
 */
public final class ReportHtml {
    private ReportHtml() {}

    public static Path write(Path dir, String reportJson) throws IOException {
        Path f = dir.resolve("report.html");
        RunReport.replace(f, render(reportJson));
        return f;
    }

    static String render(String reportJson) throws IOException {
        return PAGE.replace("/*UPLOT_CSS*/", resource("uplot/uPlot.min.css"))
                .replace("/*UPLOT_JS*/", resource("uplot/uPlot.iife.min.js"))
                .replace("/*SCRIPT*/", SCRIPT)
                // the JSON sits in a script element: no "</" may end it early
                .replace("/*REPORT*/", reportJson.replace("</", "<\\/"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ReportHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>portmesh-load report</title>
            <style>/*UPLOT_CSS*/</style>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;max-width:1100px}
            table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00;font-weight:bold}.ok{color:#070}
            h2{margin-top:1.5em}.chart{margin:1em 0}
            </style>
            <script>/*UPLOT_JS*/</script>
            <script id="report" type="application/json">/*REPORT*/</script>
            </head><body><div id="page"></div><script>/*SCRIPT*/</script></body></html>
            """;

    private static final String SCRIPT = """
            const r = JSON.parse(document.getElementById('report').textContent);
            const page = document.getElementById('page');
            function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = text; if (cls) e.className = cls; page.appendChild(e); return e; }
            function table(head, rows) {
              const t = el('table'); const h = t.insertRow();
              head.forEach(x => { const th = document.createElement('th'); th.textContent = x; h.appendChild(th); });
              rows.forEach(row => { const tr = t.insertRow(); row.forEach(x => { const td = tr.insertCell();
                if (x && typeof x === 'object') { td.textContent = x.text; td.className = x.cls || ''; }
                else { td.textContent = x === null || x === undefined ? '' : x; if (typeof x === 'number') td.className = 'n'; } }); });
            }
            // a figure never reached, and an SLO's value then, is null: an empty cell
            const num = v => typeof v !== 'number' ? (v === undefined ? null : v) : (Number.isInteger(v) ? v : +v.toPrecision(4));
            el('h1', 'portmesh-load: ' + r.scenario.name + ' (seed ' + r.seed + ')');
            el('p', r.passed ? 'PASSED' : 'FAILED (exit status ' + r.exitStatus + ')', r.passed ? 'ok' : 'bad');
            el('p', r.scenario.description);
            el('p', 'commit ' + r.commit + ', started ' + r.startedAt + '; ' + r.machine.summary);
            if (r.error) el('p', 'error: ' + r.error, 'bad');
            el('h2', 'SLOs');
            table(['figure', 'bound', 'value', ''], r.slos.map(s => [s.figure, s.bound, num(s.value), s.met ? {text: 'met', cls: 'ok'} : {text: 'MISSED', cls: 'bad'}]));
            el('h2', 'Violations (' + r.violations.length + ')');
            table(['invariant', 'at (s)', 'where', 'what'], r.violations.map(v => [v.invariant, v.atMs / 1000, v.where, v.what]));
            el('h2', 'Faults');
            table(['#', 'kind', 'node', 'planned (s)', 'injected (s)', 'restarted (s)', 'allowed loss (ms)', 'every host mastered elsewhere (ms)',
                'link: dropped / delayed / overflowed', 'skipped'],
              r.faults.map(f => [f.index, f.kind, f.node === undefined ? 'host ' + f.host : f.node, f.plannedAtMs / 1000,
                f.injectedAtMs === null ? null : f.injectedAtMs / 1000, f.restartedAtMs === null ? null : f.restartedAtMs / 1000,
                f.allowedLossMs, num(f.everyHostMasteredElsewhereMs),
                f.framesDropped === undefined ? null : f.framesDropped + ' / ' + f.framesDelayed + ' / ' + f.framesOverflowed, f.skipped]));
            const marks = { hooks: { draw: [u => {
              const c = u.ctx; c.save(); c.lineWidth = 2;
              r.faults.forEach(f => [[f.injectedAtMs, '#d00'], [f.restartedAtMs, '#0a0']].forEach(([t, col]) => {
                if (t === null || t === undefined) return; const x = u.valToPos(t / 1000, 'x', true);
                c.strokeStyle = col; c.beginPath(); c.moveTo(x, u.bbox.top); c.lineTo(x, u.bbox.top + u.bbox.height); c.stroke(); }));
              c.restore(); }] } };
            function chart(title, xs, series, xlabel) {
              el('h2', title); const div = el('div', null, 'chart');
              new uPlot({ width: 1000, height: 260, plugins: [marks], scales: { x: { time: false } },
                axes: [{ label: xlabel }, {}],
                series: [{ label: xlabel }].concat(series.map((s, i) => ({ label: s.label, stroke: ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'][i % 4], width: 1.5 }))) },
                [xs].concat(series.map(s => s.values)), div);
            }
            const tl = r.timeline;
            chart('Acknowledged create+binds per second (faults: red injected, green restarted)', tl.map(x => x.second),
              [{ label: 'acknowledged/s', values: tl.map(x => x.acknowledged) }], 'seconds from the load\\'s start');
            chart('Slowest bind answered in each second (ms)', tl.map(x => x.second),
              [{ label: 'bind max ms', values: tl.map(x => x.bindMaxMs) }], 'seconds from the load\\'s start');
            const lost = r.frameLoss || [];
            chart('Frames lost so far (sampled; in-flight frames count until they arrive)', lost.map(x => x[0] / 1000),
              [{ label: 'frames lost', values: lost.map(x => x[1]) }], 'seconds from the load\\'s start');
            el('h2', 'Latency distributions (ms by percentile)');
            const ops = Object.keys(r.latencyDistributions).filter(k => r.latencyDistributions[k].length);
            if (ops.length) {
              const ps = r.latencyDistributions[ops[0]].map(x => x[0]);
              const div = el('div', null, 'chart');
              new uPlot({ width: 1000, height: 300, scales: { x: { time: false }, y: { distr: 3 } },
                axes: [{ label: 'percentile', values: (u, vals) => vals.map(v => ps[Math.round(v)] === undefined ? '' : ps[Math.round(v)] + '%') }, { label: 'ms' }],
                series: [{ label: 'percentile', value: (u, v) => v === null ? '' : ps[v] + '%' }].concat(ops.map((o, i) => ({ label: o, stroke: ['#1f77b4', '#ff7f0e', '#2ca02c'][i % 3], width: 1.5 }))) },
                [ps.map((p, i) => i)].concat(ops.map(o => r.latencyDistributions[o].map(x => Math.max(x[1], 0.001)))), div);
            }
            el('h2', 'Figures');
            table(['figure', 'value', 'unit'], Object.entries(r.figures).map(([k, f]) => [k, num(f.value), f.unit]));
            el('h2', 'Scenario');
            table(['key', 'value'], Object.entries(r.scenario).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]));
            """;
}
