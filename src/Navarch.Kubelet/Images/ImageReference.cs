using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Navarch.Kubelet.Images;

/// <summary>
/// An image reference split as the docker/distribution reference grammar does (<c>[domain/]path[:tag][@digest]</c>), with
/// the normalisation containerd and the kubelet apply: no domain means <c>docker.io</c>, a one-part docker.io path gets
/// <c>library/</c>, and no tag nor digest means <c>latest</c>.
/// </summary>
public sealed partial record ImageReference(string Domain, string Path, string? Tag, string? Digest)
{
    public const string DefaultDomain = "docker.io";

    public const string DefaultTag = "latest";

    private const int NameMaxLength = 255;

    /// <summary>The fully qualified name, e.g. <c>docker.io/library/busybox:latest</c>, as CRI reports repo tags.</summary>
    public string FullName => $"{Domain}/{Path}" + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <summary>The repository without tag or digest, e.g. <c>docker.io/library/busybox</c>.</summary>
    public string Repository => $"{Domain}/{Path}";

    /// <summary>Parses and normalises <paramref name="image"/>; on failure <paramref name="error"/> is the reference library's message.</summary>
    public static bool TryParse(string? image, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        if (string.IsNullOrEmpty(image))
        {
            error = "repository name must have at least one component";
            return false;
        }

        var match = ReferencePattern().Match(image);
        if (!match.Success)
        {
            // As distribution's ParseNormalizedNamed: an otherwise valid name with capitals gets its own message.
            error = ReferencePattern().IsMatch(image.ToLowerInvariant())
                ? "invalid reference format: repository name must be lowercase"
                : "invalid reference format";
            return false;
        }

        var name = match.Groups["name"].Value;
        if (name.Length > NameMaxLength)
        {
            error = $"repository name must not be more than {NameMaxLength} characters";
            return false;
        }

        if (AnonymousIdPattern().IsMatch(name))
        {
            error = $"invalid repository name ({name}), cannot specify 64-byte hexadecimal strings";
            return false;
        }

        // distribution's splitDockerDomain: the first part is a registry only if it looks like a host.
        string domain, path;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || (name[..slash] != "localhost" && name.AsSpan(0, slash).IndexOfAny('.', ':') < 0 && !name[..slash].Any(char.IsUpper)))
        {
            (domain, path) = (DefaultDomain, name);
        }
        else
        {
            (domain, path) = (name[..slash], name[(slash + 1)..]);
        }

        if (domain is "index.docker.io")
        {
            domain = DefaultDomain;
        }

        if (domain == DefaultDomain && !path.Contains('/', StringComparison.Ordinal))
        {
            path = "library/" + path;
        }

        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : null;
        var digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;
        reference = new ImageReference(domain, path, tag ?? (digest is null ? DefaultTag : null), digest);
        error = null;
        return true;
    }

    /// <summary>
    /// The kubelet's <c>applyDefaultImageTag</c>: the image as written with <c>:latest</c> appended when it has neither tag nor
    /// digest. The name stays short (<c>busybox:latest</c>) so the runtime, not the kubelet, picks the default registry.
    /// </summary>
    public static string WithDefaultTag(string image, ImageReference reference) =>
        reference.Digest is null && reference.Tag is { } tag && !image.EndsWith(":" + tag, StringComparison.Ordinal)
            ? image + ":" + tag
            : image;

    // distribution/reference's grammar: domain components, optional port, path components, tag, digest.
    [GeneratedRegex(
        @"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?" +
        @"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)" +
        @"(?::(?<tag>[\w][\w.-]{0,127}))?" +
        @"(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex AnonymousIdPattern();
}
