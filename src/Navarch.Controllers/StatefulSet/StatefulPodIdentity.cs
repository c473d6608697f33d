using System.Globalization;
using k8s.Models;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.StatefulSet;

/// <summary>
/// A StatefulSet pod's stable identity, as stateful_set_utils.go: the name <c>&lt;set&gt;-&lt;ordinal&gt;</c>, the
/// pod-name and pod-index labels, hostname and subdomain (the governing service), and its revision label.
/// </summary>
internal static class StatefulPodIdentity
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";
    public const string RevisionLabel = "controller-revision-hash";

    public static string PodName(string setName, int ordinal) => setName + "-" + ordinal.ToString(CultureInfo.InvariantCulture);

    /// <summary>The ordinal in a pod's name when the name is <c>&lt;setName&gt;-&lt;digits&gt;</c>, else -1 (getParentNameAndOrdinal).</summary>
    public static int Ordinal(string setName, string podName)
    {
        if (podName.Length <= setName.Length + 1 || !podName.StartsWith(setName, StringComparison.Ordinal) || podName[setName.Length] != '-') return -1;
        var digits = podName.AsSpan(setName.Length + 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c)) return -1;
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;
    }

    public static string? Revision(V1Pod pod) => pod.Metadata.Labels?.TryGetValue(RevisionLabel, out var revision) == true ? revision : null;

    /// <summary>The first ordinal (spec.ordinals.start, 0 by default).</summary>
    public static int StartOrdinal(V1StatefulSet set) => set.Spec.Ordinals?.Start ?? 0;

    /// <summary>A new pod for <paramref name="ordinal"/> from <paramref name="template"/>, labelled with <paramref name="revision"/>.</summary>
    public static V1Pod NewPod(V1StatefulSet set, V1PodTemplateSpec template, string revision, int ordinal)
    {
        var name = PodName(set.Metadata.Name, ordinal);
        var pod = PodControl.FromTemplate(template, OwnerReferences.ControllerRef(set, "apps/v1", "StatefulSet"), set.Metadata.Name, name);
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[PodNameLabel] = name;
        pod.Metadata.Labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        pod.Metadata.Labels[RevisionLabel] = revision;
        pod.Spec.Hostname = name;
        if (!string.IsNullOrEmpty(set.Spec.ServiceName)) pod.Spec.Subdomain = set.Spec.ServiceName;
        return pod;
    }
}
