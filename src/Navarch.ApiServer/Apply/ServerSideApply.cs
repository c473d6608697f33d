using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// Server-side apply (<c>PATCH</c> with <c>application/apply-patch+yaml</c>) over JSON objects, after Kubernetes'
/// structured-merge-diff: the applied configuration is merged into the live object, the applier comes to own exactly
/// the fields it sent, fields it owned before and no longer sends are removed unless someone else owns them, and
/// changing a field another manager owns is a conflict unless forced.
/// </summary>
public static class ServerSideApply
{
    /// <summary>The manager kube-apiserver credits with everything an object held before its first apply.</summary>
    public const string BeforeFirstApplyManager = "before-first-apply";

    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="manager"/>. <paramref name="live"/> is the stored object
    /// (null to create). Neither input is modified. The result's object carries the updated
    /// <c>metadata.managedFields</c>; the caller still checks preconditions, defaults, validates and stores it.
    /// </summary>
    /// <param name="modelType">The <c>k8s.Models</c> type of the kind (e.g. <c>V1Deployment</c>), or null when untyped.</param>
    public static ApplyResult Apply(
        JsonObject? live, JsonObject applied, string manager, bool force, Type? modelType, DateTimeOffset now) =>
        ApplyEngine.Default.Apply(live, applied, manager, force, modelType, now);
}
