using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>The annotations a Deployment and its ReplicaSets carry, as Kubernetes' deploymentutil maintains them.</summary>
internal static class DeploymentAnnotations
{
    public const string RevisionKey = "deployment.kubernetes.io/revision";
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasKey = "deployment.kubernetes.io/max-replicas";
    public const string ChangeCause = "kubernetes.io/change-cause";

    /// <summary>How long revision-history may grow (the controller's MaxRevHistoryLengthInChars default).</summary>
    public const int MaxRevisionHistoryLength = 2000;

    // Never copied from the Deployment to its ReplicaSets (annotationsToSkip).
    private static readonly HashSet<string> Skip = new(StringComparer.Ordinal)
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionKey,
        RevisionHistory,
        DesiredReplicas,
        MaxReplicasKey,
        "deprecated.deployment.rollback.to",
    };

    /// <summary>The revision of a ReplicaSet; 0 when absent or unparsable.</summary>
    public static long Revision(V1ReplicaSet? rs) =>
        rs?.Metadata?.Annotations?.TryGetValue(RevisionKey, out var text) == true
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public static long MaxRevision(IEnumerable<V1ReplicaSet> sets)
    {
        long max = 0;
        foreach (var rs in sets) max = Math.Max(max, Revision(rs));
        return max;
    }

    public static int? MaxReplicas(V1ReplicaSet rs) => IntAnnotation(rs, MaxReplicasKey);

    public static int? Desired(V1ReplicaSet rs) => IntAnnotation(rs, DesiredReplicas);

    /// <summary>SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision (keeping the history on a rollback) and, for a new ReplicaSet, the replica annotations.</summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, long newRevision, bool exists)
    {
        var changed = CopyDeploymentAnnotations(d, rs);
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var hadRevision = annotations.TryGetValue(RevisionKey, out var oldText);
        long oldRevision = 0;
        if (hadRevision && !long.TryParse(oldText, NumberStyles.None, CultureInfo.InvariantCulture, out oldRevision))
        {
            if (!string.IsNullOrEmpty(oldText)) return false;
            oldRevision = 0;
        }

        if (oldRevision < newRevision)
        {
            annotations[RevisionKey] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
            // A ReplicaSet that had a revision and gets a newer one is being rolled back to: keep its old revisions.
            if (hadRevision && !string.IsNullOrEmpty(oldText)) AppendHistory(annotations, oldText!);
        }

        if (!exists && SetReplicasAnnotations(rs, RolloutMath.Replicas(d), RolloutMath.Replicas(d) + RolloutMath.MaxSurge(d))) changed = true;
        return changed;
    }

    public static bool ReplicasAnnotationsNeedUpdate(V1ReplicaSet rs, int desired, int max) =>
        rs.Metadata.Annotations is not { } annotations
        || ValueOf(annotations, DesiredReplicas) != desired.ToString(CultureInfo.InvariantCulture)
        || ValueOf(annotations, MaxReplicasKey) != max.ToString(CultureInfo.InvariantCulture);

    public static bool SetReplicasAnnotations(V1ReplicaSet rs, int desired, int max)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        var desiredText = desired.ToString(CultureInfo.InvariantCulture);
        var maxText = max.ToString(CultureInfo.InvariantCulture);
        if (ValueOf(annotations, DesiredReplicas) != desiredText)
        {
            annotations[DesiredReplicas] = desiredText;
            changed = true;
        }

        if (ValueOf(annotations, MaxReplicasKey) != maxText)
        {
            annotations[MaxReplicasKey] = maxText;
            changed = true;
        }

        return changed;
    }

    /// <summary>SetDeploymentRevision: true when the Deployment's revision annotation changed.</summary>
    public static bool SetDeploymentRevision(V1Deployment d, string revision)
    {
        var annotations = d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (ValueOf(annotations, RevisionKey) == revision) return false;
        annotations[RevisionKey] = revision;
        return true;
    }

    private static bool CopyDeploymentAnnotations(V1Deployment d, V1ReplicaSet rs)
    {
        var changed = false;
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        if (d.Metadata.Annotations is not { } source) return false;
        foreach (var (key, value) in source)
        {
            if (Skip.Contains(key) || ValueOf(annotations, key) == value) continue;
            annotations[key] = value;
            changed = true;
        }

        return changed;
    }

    private static void AppendHistory(IDictionary<string, string> annotations, string oldRevision)
    {
        var history = ValueOf(annotations, RevisionHistory) ?? "";
        if (history.Length == 0)
        {
            annotations[RevisionHistory] = oldRevision;
            return;
        }

        // Drop the oldest entries until the history fits, as upstream bounds it.
        var entries = history.Split(',').ToList();
        var total = history.Length + oldRevision.Length + 1;
        var start = 0;
        while (total > MaxRevisionHistoryLength && start < entries.Count)
        {
            total -= entries[start].Length + 1;
            start++;
        }

        if (total > MaxRevisionHistoryLength) return;
        entries = entries.GetRange(start, entries.Count - start);
        entries.Add(oldRevision);
        annotations[RevisionHistory] = string.Join(',', entries);
    }

    private static string? ValueOf(IDictionary<string, string> map, string key) => map.TryGetValue(key, out var value) ? value : null;

    private static int? IntAnnotation(V1ReplicaSet rs, string key) =>
        rs.Metadata?.Annotations?.TryGetValue(key, out var text) == true
        && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
