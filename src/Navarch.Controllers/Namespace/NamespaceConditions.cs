using k8s.Models;

namespace Navarch.Controllers.Namespace;

/// <summary>
/// The conditions the namespace controller keeps on a terminating namespace, with Kubernetes' types, reasons and
/// messages: each is False with its "ok" reason unless the last pass reported a problem of that type.
/// </summary>
internal static class NamespaceConditions
{
    public const string DiscoveryFailure = "NamespaceDeletionDiscoveryFailure";
    public const string GroupVersionParsingFailure = "NamespaceDeletionGroupVersionParsingFailure";
    public const string ContentFailure = "NamespaceDeletionContentFailure";
    public const string ContentRemaining = "NamespaceContentRemaining";
    public const string FinalizersRemaining = "NamespaceFinalizersRemaining";

    private static readonly (string Type, string Reason, string Message)[] Ok =
    [
        (DiscoveryFailure, "ResourcesDiscovered", "All resources successfully discovered"),
        (GroupVersionParsingFailure, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
        (ContentFailure, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        (ContentRemaining, "ContentRemoved", "All content successfully removed"),
        (FinalizersRemaining, "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
    ];

    /// <summary>A condition reporting a problem (status True).</summary>
    public static V1NamespaceCondition Failing(string type, string reason, string message, DateTime now) =>
        new() { Type = type, Status = "True", Reason = reason, Message = message, LastTransitionTime = now };

    /// <summary>
    /// Brings <paramref name="status"/>'s conditions in line with <paramref name="failing"/> (every other type
    /// becomes its ok variant); the transition time moves only when a status flips. True when anything changed.
    /// </summary>
    public static bool Update(V1NamespaceStatus status, IReadOnlyList<V1NamespaceCondition> failing, DateTime now)
    {
        status.Conditions ??= [];
        var changed = false;
        foreach (var (type, reason, message) in Ok)
        {
            var wanted = failing.FirstOrDefault(c => c.Type == type)
                ?? new V1NamespaceCondition { Type = type, Status = "False", Reason = reason, Message = message, LastTransitionTime = now };
            var existing = status.Conditions.FirstOrDefault(c => c.Type == type);
            if (existing is null)
            {
                status.Conditions.Add(wanted);
                changed = true;
            }
            else if (existing.Status != wanted.Status || existing.Reason != wanted.Reason || existing.Message != wanted.Message)
            {
                if (existing.Status != wanted.Status) existing.LastTransitionTime = now;
                existing.Status = wanted.Status;
                existing.Reason = wanted.Reason;
                existing.Message = wanted.Message;
                changed = true;
            }
        }

        return changed;
    }
}
