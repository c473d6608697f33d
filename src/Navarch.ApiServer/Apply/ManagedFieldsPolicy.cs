namespace Navarch.ApiServer.Apply;

/// <summary>Which fields managers may own at all, as kube-apiserver's field manager decides.</summary>
internal static class ManagedFieldsPolicy
{
    /// <summary>Metadata the server alone sets; an apply never changes it.</summary>
    public static readonly string[] ServerOwnedMetadata =
        ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"];

    // kube-apiserver's stripMetaManager never records these (identity and server-set fields); the main resource also
    // never records status, which only the status subresource writes (the strategies' reset fields).
    private static readonly FieldPath[] s_exact = [FieldPath.Of("metadata")];

    private static readonly FieldPath[] s_subtrees =
    [
        FieldPath.Of("apiVersion"), FieldPath.Of("kind"),
        FieldPath.Of("metadata", "name"), FieldPath.Of("metadata", "namespace"),
        FieldPath.Of("metadata", "creationTimestamp"), FieldPath.Of("metadata", "selfLink"),
        FieldPath.Of("metadata", "uid"), FieldPath.Of("metadata", "clusterName"),
        FieldPath.Of("metadata", "generation"), FieldPath.Of("metadata", "managedFields"),
        FieldPath.Of("metadata", "resourceVersion"),
    ];

    private static readonly FieldPath s_status = FieldPath.Of("status");

    /// <summary>
    /// <paramref name="fields"/> without what no manager may own. With <paramref name="subresource"/> <c>status</c>,
    /// status fields are kept; for the main resource they are dropped.
    /// </summary>
    public static FieldSet Owned(FieldSet fields, string? subresource)
    {
        var result = new FieldSet(fields.Paths.Where(p =>
            !s_exact.Contains(p)
            && !s_subtrees.Any(p.StartsWith)
            && (subresource == "status" || !p.StartsWith(s_status))));
        return result;
    }
}
