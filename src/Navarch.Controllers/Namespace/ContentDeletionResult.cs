using k8s.Models;

namespace Navarch.Controllers.Namespace;

/// <summary>
/// What one pass over a namespace's content found: the conditions to report, whether anything remains, and how
/// long (seconds) the remaining pods are expected to take to terminate.
/// </summary>
internal sealed record ContentDeletionResult(
    IReadOnlyList<V1NamespaceCondition> Conditions,
    bool ContentRemains,
    long EstimateSeconds,
    IReadOnlyList<string> Errors);
