/* A group's comparison chart as SVG, drawn here rather than by gnuplot so that `tvpbench compare`
 * makes its whole output alone: one panel per figure, each on its own linear scale from 0 (the
 * figures of a group have different units and sizes), a bar per run at its median with the
 * median's CI as a whisker, and over each later run's bar its ratio to A, bold when the U test
 * finds the difference significant. Colours are plots/style.gp's, in the same order. */
#include <math.h>
#include <string.h>

#include "compare.h"

static const char *const colour[TVP_CMP_MAX_RUNS] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

enum { WIDTH = 960, COLS = 3, PANEL_W = 320, PANEL_H = 250, LEGEND_ROW = 18 };
/* The plot area inside a panel. */
enum { PLOT_X = 62, PLOT_W = 240, PLOT_Y = 52, PLOT_H = 150 };

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is at least x (x > 0). */
static double nice_step(double x)
{
    double p = pow(10.0, floor(log10(x)));
    static const double m[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= x * (1 - 1e-9))
            return m[i] * p;
    return 10 * p;
}

/* Times are scaled to the unit that suits the panel's largest value. */
static double time_scale(double top, const char **unit)
{
    static const struct {
        double div;
        const char *name;
    } u[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}, {1, "ns"}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (top >= u[i].div || u[i].div == 1) {
            *unit = u[i].name;
            return u[i].div;
        }
    return 1;
}

static void text_at(FILE *f, double x, double y, const char *anchor, const char *attrs,
                    const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, attrs);
    tvp_rpt_html_text(f, s);
    fputs("</text>\n", f);
}

/* s cut to max characters (UTF-8 aware enough for the names and units written here). */
static void cut(char *s, size_t max)
{
    if (strlen(s) > max)
        snprintf(s + max - 3, 4, "...");
}

static void panel(FILE *f, const struct tvp_compare *c, const struct tvp_cmp_row *row, double x0,
                  double y0)
{
    const struct tvp_fig *id = row->id;
    double top = 0, bottom = 0;
    for (int k = 0; k < c->n_runs; k++) {
        const struct tvp_fig *x = row->cell[k].f;
        if (!x)
            continue;
        double hi = isfinite(x->ci_high) ? fmax(x->ci_high, x->median) : x->median;
        double lo = isfinite(x->ci_low) ? fmin(x->ci_low, x->median) : x->median;
        top = fmax(top, hi);
        bottom = fmin(bottom, lo);
    }
    const char *unit = id->unit;
    double div = !strcmp(id->unit, "ns") ? time_scale(top, &unit) : 1;
    double step = nice_step(top - bottom > 0 ? (top - bottom) / 4 / div : 1);
    double y_lo = floor(bottom / div / step) * step, y_hi = ceil(top / div / step) * step;
    if (y_hi <= y_lo)
        y_hi = y_lo + step;
#define Y(v) (y0 + PLOT_Y + PLOT_H - ((v) / div - y_lo) / (y_hi - y_lo) * PLOT_H)

    char name[300], line[300];
    tvp_fig_name(id, name, sizeof name);
    fprintf(f, "<g class=\"panel\"><title>");
    tvp_rpt_html_text(f, name);
    fputs("</title>\n", f);
    snprintf(line, sizeof line, "%s/%s/%s", id->benchmark, id->variant, id->model);
    cut(line, 50);
    text_at(f, x0 + PANEL_W / 2.0, y0 + 16, "middle", " font-weight=\"bold\"", line);
    char param[80] = "";
    if (id->param[0])
        snprintf(param, sizeof param, "/%s=%lld", id->param, id->param_value);
    snprintf(line, sizeof line, "%s%s/%s", id->placement, param, id->metric);
    cut(line, 44);
    tvp_appendf(line, sizeof line, " (%s)", unit);
    text_at(f, x0 + PANEL_W / 2.0, y0 + 31, "middle", "", line);

    /* Axis, grid and tick labels. */
    for (double v = y_lo; v <= y_hi + step / 2; v += step) {
        double y = Y(v * div);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n",
                x0 + PLOT_X, y, x0 + PLOT_X + PLOT_W, y);
        char tick[32];
        snprintf(tick, sizeof tick, "%.4g", fabs(v) < step / 1e6 ? 0.0 : v);
        text_at(f, x0 + PLOT_X - 5, y + 4, "end", " font-size=\"10\"", tick);
    }
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444444\"/>\n"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444444\"/>\n",
            x0 + PLOT_X, y0 + PLOT_Y, x0 + PLOT_X, y0 + PLOT_Y + PLOT_H, x0 + PLOT_X, Y(0),
            x0 + PLOT_X + PLOT_W, Y(0));

    double slot = (double)PLOT_W / c->n_runs, bar = slot * 0.6;
    for (int k = 0; k < c->n_runs; k++) {
        const struct tvp_cmp_cell *cell = &row->cell[k];
        double cx = x0 + PLOT_X + slot * (k + 0.5);
        char letter[2] = {c->run[k].letter, 0};
        text_at(f, cx, y0 + PLOT_Y + PLOT_H + 14, "middle", "", letter);
        const struct tvp_fig *x = cell->f;
        if (!x) {
            text_at(f, cx, Y(0) - 4, "middle", " font-size=\"10\" fill=\"#777777\"", "none");
            continue;
        }
        double ym = Y(x->median), yz = Y(0);
        char value[64];
        tvp_cmp_fmt_value(x, x->median, value, sizeof value);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\"0.85\"><title>",
                cx - bar / 2, fmin(ym, yz), bar, fabs(yz - ym), colour[k]);
        tvp_rpt_html_text(f, c->run[k].label);
        fprintf(f, ": %s, n=%zu</title></rect>\n", value, x->n);
        double top_y = ym;
        if (isfinite(x->ci_low) && isfinite(x->ci_high)) {
            double yl = Y(x->ci_low), yh = Y(x->ci_high);
            fprintf(f,
                    "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"#222222\" "
                    "fill=\"none\"/>\n",
                    cx, yl, yh, cx - 5, yl, cx + 5, cx - 5, yh, cx + 5);
            top_y = fmin(ym, yh);
        }
        if (k > 0 && cell->has_ratio) {
            char r[48];
            int sig = cell->sig == TVP_CMP_HIGHER || cell->sig == TVP_CMP_LOWER;
            snprintf(r, sizeof r, "%.3g×%s", cell->r.ratio, sig ? "*" : "");
            text_at(f, cx, top_y - 4, "middle",
                    sig ? " font-weight=\"bold\" font-size=\"11\""
                        : " font-size=\"11\" fill=\"#555555\"",
                    r);
        }
    }
#undef Y
    fputs("</g>\n", f);
}

void tvp_cmp_write_svg(FILE *f, const struct tvp_compare *c, const char *group,
                       const struct tvp_cmp_row *const *rows, size_t n)
{
    int legend_h = 10 + LEGEND_ROW * (c->n_runs + 1);
    int n_rows = (int)((n + COLS - 1) / COLS);
    int height = legend_h + n_rows * PANEL_H + 10;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            WIDTH, height, WIDTH, height);
    char title[200];
    snprintf(title, sizeof title,
             "%s: the %zu figure(s) that differ most between the runs (median, whisker: its CI; "
             "ratio to A, * = significant)",
             group, n);
    text_at(f, 10, 18, "start", " font-weight=\"bold\" font-size=\"13\"", title);
    for (int k = 0; k < c->n_runs; k++) {
        double y = 10 + LEGEND_ROW * (k + 1);
        fprintf(f, "<rect x=\"14\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\"/>\n", y - 1,
                colour[k]);
        char label[400];
        snprintf(label, sizeof label, "%s (%s)", c->run[k].label, c->run[k].rs.dir);
        text_at(f, 34, y + 10, "start", "", label);
    }
    for (size_t i = 0; i < n; i++)
        panel(f, c, rows[i], (double)(i % COLS) * PANEL_W, legend_h + (double)(i / COLS) * PANEL_H);
    fputs("</svg>\n", f);
}
