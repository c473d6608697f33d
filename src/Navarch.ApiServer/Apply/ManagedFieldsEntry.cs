using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// One entry of <c>metadata.managedFields</c>: a manager's identity (name, operation, apiVersion for updaters,
/// subresource) and the fields it owns.
/// </summary>
public sealed record ManagedFieldsEntry(
    string Manager, string Operation, string? ApiVersion, string? Time, string? Subresource, FieldSet Fields)
{
    private static readonly JsonSerializerOptions s_quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string ApplyOperation = "Apply";
    public const string UpdateOperation = "Update";

    /// <summary>
    /// True when this entry belongs to the same manager identity. As kube-apiserver builds manager identifiers, an
    /// applier is one identity whatever apiVersion it applied with, while updaters are told apart by apiVersion.
    /// </summary>
    public bool IsSameManager(string manager, string operation, string? apiVersion, string? subresource) =>
        Manager == manager && Operation == operation && (Subresource ?? "") == (subresource ?? "")
        && (operation == ApplyOperation || (ApiVersion ?? "") == (apiVersion ?? ""));

    /// <summary>
    /// The manager as kube-apiserver prints it in conflict messages: <c>"name"</c> for appliers, <c>"name" using v1</c>
    /// for updaters (the time is never part of the identity), with <c>with subresource "status"</c> when set.
    /// </summary>
    public string DisplayName
    {
        get
        {
            var text = Quote(Manager);
            if (!string.IsNullOrEmpty(Subresource))
            {
                text += $" with subresource {Quote(Subresource)}";
            }

            return Operation == UpdateOperation ? $"{text} using {ApiVersion}" : text;
        }
    }

    /// <summary>Kubernetes' timestamp form, RFC 3339 in UTC to the second.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["manager"] = Manager, ["operation"] = Operation };
        if (ApiVersion is not null)
        {
            json["apiVersion"] = ApiVersion;
        }

        if (Time is not null)
        {
            json["time"] = Time;
        }

        json["fieldsType"] = "FieldsV1";
        json["fieldsV1"] = Fields.ToFieldsV1();
        if (!string.IsNullOrEmpty(Subresource))
        {
            json["subresource"] = Subresource;
        }

        return json;
    }

    /// <summary>Reads one entry; throws <see cref="FormatException"/> when it is not a FieldsV1 entry.</summary>
    public static ManagedFieldsEntry FromJson(JsonNode? json)
    {
        if (json is not JsonObject obj)
        {
            throw new FormatException("managedFields entry must be an object");
        }

        var fieldsType = Text(obj, "fieldsType");
        if (fieldsType is not null and not "FieldsV1")
        {
            throw new FormatException($"managedFields entry has unsupported fieldsType \"{fieldsType}\"");
        }

        var fields = obj["fieldsV1"] switch
        {
            null => new FieldSet(),
            JsonObject fieldsV1 => FieldSet.FromFieldsV1(fieldsV1),
            _ => throw new FormatException("managedFields entry fieldsV1 must be an object"),
        };
        return new ManagedFieldsEntry(
            Text(obj, "manager") ?? "", Text(obj, "operation") ?? UpdateOperation, Text(obj, "apiVersion"),
            Text(obj, "time"), Text(obj, "subresource"), fields);
    }

    /// <summary>Reads <c>metadata.managedFields</c> of an object; an absent list reads as empty.</summary>
    public static List<ManagedFieldsEntry> ReadAll(JsonObject? obj)
    {
        if (obj?["metadata"]?["managedFields"] is not JsonArray array)
        {
            return [];
        }

        return array.Select(FromJson).ToList();
    }

    /// <summary>
    /// Writes entries into <c>metadata.managedFields</c>, dropping empty ones and sorting as kube-apiserver does
    /// (operation, then time, manager, apiVersion, subresource); removes the field when nothing is left.
    /// </summary>
    public static void WriteAll(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var kept = entries.Where(e => !e.Fields.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => e.Time ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Subresource ?? "", StringComparer.Ordinal)
            .ToList();
        if (obj["metadata"] is not JsonObject metadata)
        {
            if (kept.Count == 0)
            {
                return;
            }

            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        if (kept.Count == 0)
        {
            metadata.Remove("managedFields");
            return;
        }

        metadata["managedFields"] = new JsonArray(kept.Select(e => (JsonNode)e.ToJson()).ToArray());
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    // Like Go's %q: quotes and escapes, but leaves printable characters as they are.
    private static string Quote(string text) => JsonSerializer.Serialize(text, s_quoting);
}
