using k8s.Models;
using Navarch.Api.Scheduling;
using SharedTolerations = Navarch.Api.Scheduling.Tolerations;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// Where a DaemonSet's pods belong, as Kubernetes' NodeShouldRunDaemonPod: the template's nodeName, nodeSelector
/// and required node affinity must match, and every NoSchedule/NoExecute taint must be tolerated by the
/// template's tolerations plus the ones the DaemonSet controller adds to every daemon pod. Built once per sync
/// so checking each of thousands of nodes allocates nothing.
/// </summary>
internal sealed class DaemonPlacement
{
    private readonly string? _nodeName;
    private readonly RequiredNodeAffinity _required;
    private readonly List<V1Toleration> _tolerations;

    public DaemonPlacement(V1PodSpec? spec)
    {
        _nodeName = string.IsNullOrEmpty(spec?.NodeName) ? null : spec.NodeName;
        _required = RequiredNodeAffinity.Of(spec);
        _tolerations = WithDaemonTolerations(spec?.Tolerations, spec?.HostNetwork == true);
    }

    /// <summary>The tolerations a daemon pod is created with: the template's and the controller's defaults.</summary>
    public IReadOnlyList<V1Toleration> Tolerations => _tolerations;

    /// <summary>Whether a new daemon pod should be placed on <paramref name="node"/>, and whether an existing one may stay.</summary>
    public (bool ShouldRun, bool ShouldContinueRunning) Evaluate(V1Node node)
    {
        if (_nodeName is not null && _nodeName != node.Metadata.Name) return (false, false);
        if (!_required.Matches(node)) return (false, false);
        var taints = node.Spec?.Taints;
        if (SharedTolerations.FindUntolerated(taints, _tolerations, TaintEffectFilter.DoNotSchedule) is null)
        {
            return (true, true);
        }

        // As upstream: a pod already running stays unless a NoExecute taint evicts it.
        return (false, SharedTolerations.FindUntolerated(taints, _tolerations, TaintEffectFilter.NoExecute) is null);
    }

    /// <summary>
    /// The template's tolerations plus those of util.AddOrUpdateDaemonPodTolerations: daemons survive not-ready and
    /// unreachable nodes (NoExecute, no tolerationSeconds), node pressure and cordoning, and host-network daemons
    /// a missing pod network.
    /// </summary>
    public static List<V1Toleration> WithDaemonTolerations(IList<V1Toleration>? existing, bool hostNetwork)
    {
        var result = new List<V1Toleration>();
        if (existing is not null)
        {
            foreach (var toleration in existing)
            {
                result.Add(Copy(toleration));
            }
        }

        AddOrUpdate(result, "node.kubernetes.io/not-ready", "NoExecute");
        AddOrUpdate(result, "node.kubernetes.io/unreachable", "NoExecute");
        AddOrUpdate(result, "node.kubernetes.io/disk-pressure", "NoSchedule");
        AddOrUpdate(result, "node.kubernetes.io/memory-pressure", "NoSchedule");
        AddOrUpdate(result, "node.kubernetes.io/pid-pressure", "NoSchedule");
        AddOrUpdate(result, "node.kubernetes.io/unschedulable", "NoSchedule");
        if (hostNetwork) AddOrUpdate(result, "node.kubernetes.io/network-unavailable", "NoSchedule");
        return result;
    }

    /// <summary>
    /// As ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term
    /// <c>matchFields metadata.name In [node]</c> (the controller has checked the template's terms already),
    /// preferred terms and pod (anti-)affinity are kept. The default scheduler then binds the pod to that node.
    /// </summary>
    public static V1Affinity PinToNode(V1Affinity? affinity, string nodeName)
    {
        affinity ??= new V1Affinity();
        affinity.NodeAffinity ??= new V1NodeAffinity();
        affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
        {
            NodeSelectorTerms =
            [
                new V1NodeSelectorTerm
                {
                    MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [nodeName] }],
                },
            ],
        };
        return affinity;
    }

    /// <summary>The node a daemon pod is for: spec.nodeName once bound, else the node its affinity pins it to (util.GetTargetNodeName).</summary>
    public static string? TargetNodeName(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) return pod.Spec.NodeName;
        var terms = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (terms is null) return null;
        foreach (var term in terms)
        {
            if (term.MatchFields is null) continue;
            foreach (var field in term.MatchFields)
            {
                if (field is { Key: "metadata.name", OperatorProperty: "In", Values.Count: 1 }) return field.Values[0];
            }
        }

        return null;
    }

    private static void AddOrUpdate(List<V1Toleration> tolerations, string key, string effect)
    {
        var daemon = new V1Toleration { Key = key, OperatorProperty = "Exists", Effect = effect };
        for (var i = 0; i < tolerations.Count; i++)
        {
            // As AddOrUpdateTolerationInPod: one matching key, operator, value and effect is replaced (dropping
            // any tolerationSeconds, so a daemon is never evicted from a not-ready node), not duplicated.
            var t = tolerations[i];
            if (t.Key == key && t.Effect == effect && t.OperatorProperty == "Exists" && string.IsNullOrEmpty(t.Value))
            {
                tolerations[i] = daemon;
                return;
            }
        }

        tolerations.Add(daemon);
    }

    private static V1Toleration Copy(V1Toleration t) => new()
    {
        Key = t.Key,
        OperatorProperty = t.OperatorProperty,
        Value = t.Value,
        Effect = t.Effect,
        TolerationSeconds = t.TolerationSeconds,
    };
}
