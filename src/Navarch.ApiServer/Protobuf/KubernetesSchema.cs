using System.Collections.Frozen;
using System.Globalization;

namespace Navarch.ApiServer.Protobuf;

/// <summary>
/// The protobuf messages of the Kubernetes kinds we accept, read from the embedded data file
/// <c>Schema/k8s-messages.txt</c> (field numbers from k8s.io/api's and k8s.io/apimachinery's generated.proto; JSON
/// names and zero-value handling from the Go types' json tags). The file's header describes its format.
/// </summary>
internal sealed class KubernetesSchema
{
    private const string ResourceName = "Navarch.ApiServer.Protobuf.Schema.k8s-messages.txt";

    private static readonly FrozenDictionary<string, ValueKind> WellKnown = new Dictionary<string, ValueKind>
    {
        ["k8s.io.apimachinery.pkg.apis.meta.v1.Time"] = ValueKind.Time,
        ["k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"] = ValueKind.MicroTime,
        ["k8s.io.apimachinery.pkg.api.resource.Quantity"] = ValueKind.Quantity,
        ["k8s.io.apimachinery.pkg.util.intstr.IntOrString"] = ValueKind.IntOrString,
        ["k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"] = ValueKind.FieldsV1,
        ["k8s.io.apimachinery.pkg.runtime.RawExtension"] = ValueKind.RawExtension,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, ValueKind> Scalars = new Dictionary<string, ValueKind>
    {
        ["string"] = ValueKind.String,
        ["bytes"] = ValueKind.Bytes,
        ["bool"] = ValueKind.Bool,
        ["int32"] = ValueKind.Int32,
        ["int64"] = ValueKind.Int64,
        ["uint32"] = ValueKind.UInt32,
        ["uint64"] = ValueKind.UInt64,
        ["double"] = ValueKind.Double,
        ["float"] = ValueKind.Float,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, ProtoMessage> _messages;
    private readonly FrozenDictionary<(string ApiVersion, string Kind), string> _kinds;
    private readonly FrozenDictionary<string, string> _anyVersionKinds;

    private KubernetesSchema(
        FrozenDictionary<string, ProtoMessage> messages,
        FrozenDictionary<(string ApiVersion, string Kind), string> kinds,
        FrozenDictionary<string, string> anyVersionKinds)
    {
        _messages = messages;
        _kinds = kinds;
        _anyVersionKinds = anyVersionKinds;
    }

    public IReadOnlyDictionary<string, ProtoMessage> Messages => _messages;

    /// <summary>Loads the schema embedded in this assembly.</summary>
    public static KubernetesSchema LoadEmbedded()
    {
        using var stream = typeof(KubernetesSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Parses the data file; a malformed file or a reference to a missing message is a build defect.</summary>
    public static KubernetesSchema Parse(string text)
    {
        var messages = new Dictionary<string, Dictionary<int, ProtoField>>(StringComparer.Ordinal);
        var kinds = new Dictionary<(string, string), string>();
        var anyVersionKinds = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<int, ProtoField>? current = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "K" when parts.Length == 4:
                    if (parts[1] == "*")
                    {
                        anyVersionKinds[parts[2]] = parts[3];
                    }
                    else
                    {
                        kinds[(parts[1], parts[2])] = parts[3];
                    }

                    break;
                case "M" when parts.Length == 2:
                    current = [];
                    messages.Add(parts[1], current);
                    break;
                default:
                    if (current is null)
                    {
                        throw Bad(lineNumber, "field outside a message");
                    }

                    var field = ParseField(parts, lineNumber);
                    current.Add(field.Number, field);
                    break;
            }
        }

        foreach (var (name, fields) in messages)
        {
            foreach (var field in fields.Values)
            {
                if (field.MessageName is { } referenced && !messages.ContainsKey(referenced))
                {
                    throw new InvalidOperationException($"protobuf schema: {name}.{field.JsonName} refers to unknown message {referenced}");
                }
            }
        }

        foreach (var target in kinds.Values.Concat(anyVersionKinds.Values))
        {
            if (!messages.ContainsKey(target))
            {
                throw new InvalidOperationException($"protobuf schema: kind refers to unknown message {target}");
            }
        }

        return new KubernetesSchema(
            messages.ToFrozenDictionary(m => m.Key, m => new ProtoMessage(m.Key, m.Value.ToFrozenDictionary()), StringComparer.Ordinal),
            kinds.ToFrozenDictionary(),
            anyVersionKinds.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The message for a top-level kind, or null when we do not know the kind in that group version.</summary>
    public ProtoMessage? FindKind(string apiVersion, string kind)
    {
        if (_kinds.TryGetValue((apiVersion, kind), out var name) || _anyVersionKinds.TryGetValue(kind, out name))
        {
            return _messages[name];
        }

        return null;
    }

    public ProtoMessage Message(string name) => _messages[name];

    private static ProtoField ParseField(string[] parts, int lineNumber)
    {
        // <number> <json name> <type> [flags]; <type> is a scalar or message, "rep <type>", or "map <key> <value>".
        if (parts.Length < 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw Bad(lineNumber, "expected '<number> <json name> <type> [flags]'");
        }

        var cardinality = FieldCardinality.Single;
        var index = 2;
        var mapKey = ValueKind.String;
        if (parts[index] == "rep")
        {
            cardinality = FieldCardinality.Repeated;
            index++;
        }
        else if (parts[index] == "map")
        {
            cardinality = FieldCardinality.Map;
            index++;
            if (index >= parts.Length || !Scalars.TryGetValue(parts[index], out mapKey))
            {
                throw Bad(lineNumber, "map key must be a scalar");
            }

            index++;
        }

        if (index >= parts.Length)
        {
            throw Bad(lineNumber, "missing type");
        }

        var typeName = parts[index++];
        string? messageName = null;
        if (!Scalars.TryGetValue(typeName, out var value) && !WellKnown.TryGetValue(typeName, out value))
        {
            value = ValueKind.Message;
            messageName = typeName;
        }

        var inline = false;
        var omitZero = false;
        for (; index < parts.Length; index++)
        {
            switch (parts[index])
            {
                case "inline":
                    inline = true;
                    break;
                case "omitzero":
                    omitZero = true;
                    break;
                case "ptr":
                    // A pointer: present means set, so nothing is dropped; the flag documents the Go type.
                    break;
                default:
                    throw Bad(lineNumber, $"unknown flag '{parts[index]}'");
            }
        }

        if (inline && (value != ValueKind.Message || cardinality != FieldCardinality.Single))
        {
            throw Bad(lineNumber, "only a single message field can be inline");
        }

        return new ProtoField(number, parts[1], cardinality, value, messageName, mapKey, inline, omitZero);
    }

    private static InvalidOperationException Bad(int lineNumber, string message) =>
        new($"protobuf schema line {lineNumber}: {message}");
}
