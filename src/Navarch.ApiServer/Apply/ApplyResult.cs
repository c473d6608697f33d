using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// The outcome of a server-side apply: the object to store (with <c>metadata.managedFields</c> updated), or the
/// conflicts that stopped it.
/// </summary>
public sealed record ApplyResult
{
    private ApplyResult(JsonObject? obj, IReadOnlyList<ApplyConflict> conflicts)
    {
        Object = obj;
        Conflicts = conflicts;
    }

    /// <summary>The merged object; null when the apply conflicted.</summary>
    public JsonObject? Object { get; }

    /// <summary>Conflicts in kube-apiserver's order (by manager, then path); empty on success.</summary>
    public IReadOnlyList<ApplyConflict> Conflicts { get; }

    public bool HasConflicts => Conflicts.Count > 0;

    public static ApplyResult Success(JsonObject obj) => new(obj, []);

    public static ApplyResult Conflicted(IReadOnlyList<ApplyConflict> conflicts) => new(null, conflicts);

    /// <summary>
    /// kube-apiserver's message, e.g. <c>Apply failed with 1 conflict: conflict with "kubectl" using v1: .spec.replicas</c>;
    /// for several, one <c>conflicts with "manager":</c> line per manager followed by <c>- path</c> lines.
    /// </summary>
    public string ConflictMessage
    {
        get
        {
            if (Conflicts.Count == 1)
            {
                return $"Apply failed with 1 conflict: conflict with {Conflicts[0].Manager}: {Conflicts[0].Path}";
            }

            var lines = new List<string>();
            foreach (var group in Conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => $"- {c.Path}"));
            }

            return $"Apply failed with {Conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
    }

    /// <summary>The status causes kube-apiserver lists, one <c>FieldManagerConflict</c> per conflicting field.</summary>
    public IReadOnlyList<V1StatusCause> Causes => Conflicts
        .Select(c => new V1StatusCause { Reason = "FieldManagerConflict", Message = c.CauseMessage, Field = c.Path.ToString() })
        .ToList();

    /// <summary>The 409 Conflict to answer with, worded as kube-apiserver words it.</summary>
    public ApiException ToException(string group, string resource, string name)
    {
        if (!HasConflicts)
        {
            throw new InvalidOperationException("the apply succeeded; there is no conflict to report");
        }

        return ApiException.ApplyConflict(group, resource, name, ConflictMessage);
    }
}
