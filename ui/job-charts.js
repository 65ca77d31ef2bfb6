// Which charts a job page draws from its `metrics` events, per job kind. The metric names are the ones the
// kinds emit (Sources/OrchardJobs/Kinds): pretrain `loss`, `heldout_loss` and `weights` {domain: w} (ADO and the
// other mixtures); dpo `loss`, `chosen_logprob_change`, `rejected_logprob_change`, `reward_margin`,
// `reward_accuracy`; distill and mlp_train `train_loss`, `heldout_loss`, `test_loss`, `test_accuracy`;
// lm_unlearn `loss`, `forget_nll`. Any other kind gets one chart of its numeric metrics named like a loss.

import { el } from './dom.js';
import { LineChart } from './chart.js';

const LOSS = { title: 'Loss', testid: 'chart-loss' };

// A chart spec: `keys` are top-level numeric metrics, each a series named by `labels[key]` or the key;
// `byKey` is an object-valued metric whose entries (e.g. domains) are the series.
const CHARTS_BY_KIND = {
  pretrain: [
    { ...LOSS, keys: ['loss', 'heldout_loss'], labels: { loss: 'train loss', heldout_loss: 'held-out loss' } },
    { title: 'Mixture weights per domain', testid: 'chart-weights', byKey: 'weights' },
  ],
  dpo: [
    { ...LOSS, keys: ['loss'], labels: { loss: 'DPO loss' } },
    { title: 'Log-prob change from the reference (nats)', testid: 'chart-logprob',
      keys: ['chosen_logprob_change', 'rejected_logprob_change', 'reward_margin'],
      labels: { chosen_logprob_change: 'chosen', rejected_logprob_change: 'rejected', reward_margin: 'reward margin' } },
    { title: 'Reward accuracy', testid: 'chart-accuracy', keys: ['reward_accuracy'] },
  ],
  distill: [
    { ...LOSS, keys: ['train_loss', 'heldout_loss', 'test_loss'] },
    { title: 'Accuracy', testid: 'chart-accuracy', keys: ['test_accuracy'] },
  ],
  lm_unlearn: [{ ...LOSS, keys: ['loss', 'forget_nll'] }],
};
CHARTS_BY_KIND.mlp_train = CHARTS_BY_KIND.distill;

const LOSS_LIKE = /loss|nll/;

/// The charts of one job: `element` holds them; `add(metricsData)` feeds one metrics event's `data`.
export class JobCharts {
  constructor(kind) {
    this.specs = CHARTS_BY_KIND[kind] ?? [{ ...LOSS, keys: null }];
    this.charts = this.specs.map((spec) => new LineChart({ title: spec.title, testid: spec.testid }));
    this.element = el('div', { class: 'charts' }, this.charts.map((c) => c.element));
  }

  add(data) {
    const step = data?.step;
    if (typeof step !== 'number') return;
    this.specs.forEach((spec, i) => {
      const chart = this.charts[i];
      if (spec.byKey) {
        const values = data[spec.byKey];
        if (values && typeof values === 'object') {
          for (const [name, y] of Object.entries(values)) if (typeof y === 'number') chart.add(name, step, y);
        }
        return;
      }
      const keys = spec.keys ?? Object.keys(data).filter((k) => LOSS_LIKE.test(k) && typeof data[k] === 'number');
      for (const key of keys) {
        if (typeof data[key] === 'number') chart.add(spec.labels?.[key] ?? key, step, data[key]);
      }
    });
  }

  get pointCount() { return this.charts.reduce((n, c) => n + c.pointCount, 0); }
}
