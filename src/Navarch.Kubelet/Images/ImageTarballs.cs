namespace Navarch.Kubelet.Images;

/// <summary>The image tarballs a node imports at start from its images directory, as k3s' agent/images does.</summary>
public static class ImageTarballs
{
    /// <summary>The file names taken: docker-archive or OCI layout tarballs, plain or gzip-compressed.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".tar", ".tar.gz", ".tgz"];

    /// <summary>The tarballs in <paramref name="directory"/> in name order (none when it does not exist).</summary>
    public static IReadOnlyList<string> Find(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory)
            .Where(path => Extensions.Any(extension => path.EndsWith(extension, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
