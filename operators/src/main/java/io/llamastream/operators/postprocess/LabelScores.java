package io.llamastream.operators.postprocess;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Classification from forced-continuation scores: each label's summed log-probability (label
 * tokens plus end of turn, so a label that is only a prefix of the model's answer loses) is
 * normalised over the labels with a softmax. The label with the highest log-probability wins;
 * ties go to the label listed first.
 */
public record LabelScores(List<String> labels, double[] logProbabilities) {

    public String best() {
        int best = 0;
        for (int i = 1; i < logProbabilities.length; i++) {
            if (logProbabilities[i] > logProbabilities[best]) {
                best = i;
            }
        }
        return labels.get(best);
    }

    /** Softmax over the labels' log-probabilities (they sum to 1). */
    public double[] probabilities() {
        double max = Double.NEGATIVE_INFINITY;
        for (double lp : logProbabilities) {
            max = Math.max(max, lp);
        }
        double[] p = new double[logProbabilities.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logProbabilities[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("label", best());
        ObjectNode probs = o.putObject("probabilities");
        double[] p = probabilities();
        for (int i = 0; i < p.length; i++) {
            probs.put(labels.get(i), p[i]);
        }
        return o;
    }
}
