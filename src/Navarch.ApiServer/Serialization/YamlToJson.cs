using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Navarch.ApiServer.Serialization;

/// <summary>
/// Turns a YAML request body into JSON the way kube-apiserver's sigs.k8s.io/yaml does: plain scalars resolve
/// to booleans, nulls and numbers by the YAML core schema, quoted scalars stay strings.
/// </summary>
public static class YamlToJson
{
    /// <exception cref="FormatException">The text is not one YAML document.</exception>
    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}", e);
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            throw new FormatException("error converting YAML to JSON: the body holds more than one YAML document");
        }

        return ToNode(stream.Documents[0].RootNode, depth: 0);
    }

    private static JsonNode? ToNode(YamlNode node, int depth)
    {
        if (depth > 100)
        {
            throw new FormatException("error converting YAML to JSON: nesting too deep");
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? "" : throw new FormatException("error converting YAML to JSON: non-scalar map key");
                    if (obj.ContainsKey(name))
                    {
                        throw new FormatException($"error converting YAML to JSON: yaml: key \"{name}\" already set in map");
                    }

                    obj[name] = ToNode(value, depth + 1);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(ToNode(item, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new FormatException("error converting YAML to JSON: unsupported YAML node (aliases are not accepted)");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }

        if (scalar.Tag.Value is "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (text.StartsWith("0x", StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (LooksNumeric(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }

    private static bool LooksNumeric(string text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E'))
            {
                return false;
            }
        }

        return text.Any(char.IsAsciiDigit);
    }
}
