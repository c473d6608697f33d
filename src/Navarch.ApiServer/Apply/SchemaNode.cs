namespace Navarch.ApiServer.Apply;

/// <summary>What a position in an object is, as far as apply cares.</summary>
internal enum SchemaKind
{
    /// <summary>A leaf: string, number, bool, timestamp, quantity, int-or-string, bytes.</summary>
    Scalar,

    /// <summary>An object with declared fields (a <c>k8s.Models</c> class).</summary>
    Struct,

    /// <summary>
    /// A map with free keys (labels, annotations, data) or an object of unknown shape: each entry is owned on its own.
    /// </summary>
    Map,

    /// <summary>A list, shaped by <see cref="SchemaNode.List"/>.</summary>
    List,
}

/// <summary>
/// A position's kind plus the CLR type that describes it: the struct's class, a map's value type, a list's element
/// type. A null <see cref="Type"/> means untyped (a custom resource or a field typed <c>object</c>): objects are maps,
/// lists are atomic, as structured-merge-diff's deduced schema has them.
/// </summary>
internal readonly record struct SchemaNode(SchemaKind Kind, Type? Type, ListShape List)
{
    public static SchemaNode Untyped { get; } = new(SchemaKind.Map, null, ListShape.Atomic);
}
