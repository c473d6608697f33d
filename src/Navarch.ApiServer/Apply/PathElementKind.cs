namespace Navarch.ApiServer.Apply;

/// <summary>
/// The four kinds of step in a structured-merge-diff field path, in the order structured-merge-diff sorts them.
/// </summary>
public enum PathElementKind
{
    /// <summary>A field of a struct or an entry of a map: <c>f:name</c>.</summary>
    Field = 0,

    /// <summary>An item of an associative list, named by its key fields: <c>k:{"name":"nginx"}</c>.</summary>
    Key = 1,

    /// <summary>An item of a set (a list of scalars with the merge strategy): <c>v:"finalizer"</c>.</summary>
    Value = 2,

    /// <summary>An item of a list addressed by position: <c>i:0</c>.</summary>
    Index = 3,
}
