namespace Navarch.Api.Patching;

/// <summary>
/// A field's strategic-merge-patch strategy, from the <c>patchStrategy</c> struct tags of the Kubernetes
/// API types (which may combine <c>merge,retainKeys</c>). <see cref="None"/> means the default: maps
/// merge key by key, lists are replaced whole.
/// </summary>
[Flags]
public enum PatchStrategy
{
    None = 0,

    /// <summary>Lists merge element by element (by merge key, or as a set of primitives).</summary>
    Merge = 1,

    /// <summary>The value is replaced whole.</summary>
    Replace = 2,

    /// <summary>The patch may carry <c>$retainKeys</c> to clear the members it does not list (unions).</summary>
    RetainKeys = 4,
}
