using System.Globalization;
using System.Text;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Images;

/// <summary>The image list as <c>crictl images</c> prints it: IMAGE, TAG, IMAGE ID (13 hex digits) and SIZE (decimal units, 3 digits).</summary>
public static class ImageTable
{
    private const int MinColumnWidth = 20;
    private const int Padding = 3;

    public static string Format(IEnumerable<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var rows = new List<string[]> { new[] { "IMAGE", "TAG", "IMAGE ID", "SIZE" } };
        foreach (var image in images.OrderBy(image => image.RepoTags.FirstOrDefault() ?? image.RepoDigests.FirstOrDefault() ?? image.Id, StringComparer.Ordinal))
        {
            var id = ShortId(image.Id);
            var size = HumanSize(image.Size);
            if (image.RepoTags.Count == 0)
            {
                // An image known only by digest (or by nothing) still gets a row, as crictl prints "<none>".
                var repository = image.RepoDigests.Count > 0 ? image.RepoDigests[0].Split('@')[0] : "<none>";
                rows.Add([repository, "<none>", id, size]);
                continue;
            }

            foreach (var repoTag in image.RepoTags)
            {
                var colon = repoTag.LastIndexOf(':');
                var slash = repoTag.LastIndexOf('/');
                rows.Add(colon > slash ? [repoTag[..colon], repoTag[(colon + 1)..], id, size] : [repoTag, "<none>", id, size]);
            }
        }

        var widths = new int[4];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], Math.Max(row[i].Length + Padding, MinColumnWidth));
            }
        }

        var builder = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length - 1; i++)
            {
                builder.Append(row[i].PadRight(widths[i]));
            }

            builder.Append(row[^1]).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The first 13 hex digits of the ID, without its <c>sha256:</c> algorithm.</summary>
    public static string ShortId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var hex = colon >= 0 ? id[(colon + 1)..] : id;
        return hex.Length > 13 ? hex[..13] : hex;
    }

    /// <summary>go-units' <c>HumanSizeWithPrecision(size, 3)</c>: powers of 1000, three significant digits (1.24MB, 512kB, 0B).</summary>
    public static string HumanSize(double size)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
        var unit = 0;
        while (size >= 1000 && unit < units.Length - 1)
        {
            size /= 1000;
            unit++;
        }

        return size.ToString("G3", CultureInfo.InvariantCulture) + units[unit];
    }
}
