using System.Text;
using System.Xml;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// Field and type descriptions of the KubernetesClient models, read from the package's XML documentation (its
/// summaries are Kubernetes' own API field docs), so that <c>kubectl explain</c> reads as it does against kube.
/// </summary>
internal sealed class ModelDescriptions
{
    /// <summary>File name of the documentation shipped beside the KubernetesClient assembly (copied to our output).</summary>
    public const string FileName = "KubernetesClient.xml";

    private const string ModelPrefix = "k8s.Models.";

    private readonly Dictionary<string, string> _byMember;

    private ModelDescriptions(Dictionary<string, string> byMember) => _byMember = byMember;

    /// <summary>No descriptions: the documents are still complete, only without prose.</summary>
    public static ModelDescriptions Empty { get; } = new([]);

    public int Count => _byMember.Count;

    /// <summary>Loads the documentation found next to this assembly or the KubernetesClient assembly, or none.</summary>
    public static ModelDescriptions LoadDefault()
    {
        string?[] directories =
        [
            AppContext.BaseDirectory,
            Path.GetDirectoryName(typeof(ModelDescriptions).Assembly.Location),
            Path.GetDirectoryName(typeof(k8s.Models.V1Pod).Assembly.Location),
        ];
        foreach (var directory in directories)
        {
            if (string.IsNullOrEmpty(directory))
            {
                continue;
            }

            var path = Path.Combine(directory, FileName);
            if (File.Exists(path))
            {
                using var stream = File.OpenRead(path);
                return Load(stream);
            }
        }

        return Empty;
    }

    /// <summary>Reads the summaries of <c>k8s.Models</c> types and properties from an XML documentation file.</summary>
    public static ModelDescriptions Load(Stream xml)
    {
        var byMember = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(xml, new XmlReaderSettings { IgnoreComments = true, DtdProcessing = DtdProcessing.Prohibit });
        string? member = null;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (reader.Name == "member")
            {
                var name = reader.GetAttribute("name");
                member = name is not null && name.Length > 2 && name.AsSpan(2).StartsWith(ModelPrefix, StringComparison.Ordinal) &&
                    (name[0] == 'T' || name[0] == 'P') ? name : null;
            }
            else if (reader.Name == "summary" && member is not null)
            {
                var text = Normalize(reader.ReadElementContentAsString());
                if (text.Length > 0)
                {
                    byMember[member] = text;
                }

                member = null;
            }
        }

        return new ModelDescriptions(byMember);
    }

    public string? OfType(Type type) => _byMember.GetValueOrDefault("T:" + type.FullName);

    public string? OfProperty(Type type, string propertyName) => _byMember.GetValueOrDefault($"P:{type.FullName}.{propertyName}");

    /// <summary>Joins the summary's wrapped lines back into the one-paragraph text Kubernetes wrote.</summary>
    private static string Normalize(string summary)
    {
        var builder = new StringBuilder(summary.Length);
        foreach (var line in summary.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(trimmed);
        }

        return builder.ToString();
    }
}
