using System.Collections.Immutable;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// A path from the object root to one field or list item, e.g. <c>.spec.template.spec.containers[name="nginx"].image</c>.
/// Immutable, compared element by element.
/// </summary>
public sealed class FieldPath : IEquatable<FieldPath>, IComparable<FieldPath>
{
    private readonly int _hash;

    public FieldPath(ImmutableArray<PathElement> elements)
    {
        Elements = elements;
        var hash = new HashCode();
        foreach (var element in elements)
        {
            hash.Add(element);
        }

        _hash = hash.ToHashCode();
    }

    public static FieldPath Root { get; } = new(ImmutableArray<PathElement>.Empty);

    public ImmutableArray<PathElement> Elements { get; }

    public int Length => Elements.Length;

    public bool IsRoot => Elements.IsEmpty;

    public PathElement Last => Elements[^1];

    public FieldPath Parent => new(Elements.RemoveAt(Elements.Length - 1));

    /// <summary>A path of field names only, e.g. <c>FieldPath.Of("spec", "replicas")</c>.</summary>
    public static FieldPath Of(params string[] fieldNames) =>
        new(fieldNames.Select(PathElement.Field).ToImmutableArray());

    public FieldPath Append(PathElement element) => new(Elements.Add(element));

    /// <summary>True when <paramref name="prefix"/> is this path or one of its ancestors.</summary>
    public bool StartsWith(FieldPath prefix)
    {
        if (prefix.Length > Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (Elements[i] != prefix.Elements[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>structured-merge-diff's spelling, used in conflict messages and status causes.</summary>
    public override string ToString() => string.Concat(Elements.Select(e => e.ToString()));

    public bool Equals(FieldPath? other) =>
        other is not null && _hash == other._hash && Elements.AsSpan().SequenceEqual(other.Elements.AsSpan());

    public override bool Equals(object? obj) => obj is FieldPath other && Equals(other);

    public override int GetHashCode() => _hash;

    /// <summary>Element-wise order; an ancestor sorts before its descendants.</summary>
    public int CompareTo(FieldPath? other)
    {
        if (other is null)
        {
            return 1;
        }

        var common = Math.Min(Length, other.Length);
        for (var i = 0; i < common; i++)
        {
            var c = Elements[i].CompareTo(other.Elements[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return Length.CompareTo(other.Length);
    }
}
