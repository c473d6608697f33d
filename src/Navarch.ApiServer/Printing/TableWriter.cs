using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.Printing;

/// <summary>
/// Writes a meta.k8s.io/v1 Table, the answer kube-apiserver gives to <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>.
/// Every column is always filled, priority-1 ones too, because kube-apiserver prints with Wide set and leaves it to
/// kubectl to hide the wide columns.
/// </summary>
/// <remarks>
/// For a watch with <c>as=Table</c> (<c>kubectl get -w</c>) each event's object is a Table with one row. As
/// kube-apiserver does, only the first event carries the column definitions: it turns TableOptions.NoHeaders on after
/// the first object, so later Tables have <c>"columnDefinitions": null</c>. Pass
/// <c>includeColumnDefinitions: false</c> for those. Error events (a Status) are sent as they are, not as Tables.
/// </remarks>
public static class TableWriter
{
    public const string ApiVersion = "meta.k8s.io/v1";

    /// <summary>Writes one Table as a JSON value (so it can also be the <c>object</c> of a watch event).</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="table">The kind's printer.</param>
    /// <param name="objects">The rows' objects, apiVersion and kind already set.</param>
    /// <param name="meta">The Table's list metadata.</param>
    /// <param name="include">What each row's <c>object</c> holds.</param>
    /// <param name="now">The time ages are measured against.</param>
    /// <param name="includeColumnDefinitions">False for every watch event after the first.</param>
    public static void Write(
        Utf8JsonWriter writer,
        ITableConvertor table,
        IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects,
        TableListMeta meta,
        IncludeObjectPolicy include,
        DateTimeOffset now,
        bool includeColumnDefinitions = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(meta);

        writer.WriteStartObject();
        writer.WriteString("kind", "Table");
        writer.WriteString("apiVersion", ApiVersion);
        WriteListMeta(writer, meta);

        // kube-apiserver's Go struct has no omitempty here: without headers the field is null, not absent.
        if (includeColumnDefinitions)
        {
            writer.WriteStartArray("columnDefinitions");
            foreach (var column in table.Columns)
            {
                writer.WriteStartObject();
                writer.WriteString("name", column.Name);
                writer.WriteString("type", column.Type);
                writer.WriteString("format", column.Format);
                writer.WriteString("description", column.Description);
                writer.WriteNumber("priority", column.Priority);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("columnDefinitions");
        }

        writer.WriteStartArray("rows");
        foreach (var obj in objects)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("cells");
            foreach (var cell in table.Cells(obj, now))
            {
                WriteCell(writer, cell);
            }

            writer.WriteEndArray();
            switch (include)
            {
                case IncludeObjectPolicy.Object:
                    writer.WritePropertyName("object");
                    ApiJson.Serialize(writer, obj);
                    break;
                case IncludeObjectPolicy.Metadata:
                    writer.WritePropertyName("object");
                    writer.WriteStartObject();
                    writer.WriteString("kind", "PartialObjectMetadata");
                    writer.WriteString("apiVersion", ApiVersion);
                    writer.WritePropertyName("metadata");
                    if (obj.Metadata is null)
                    {
                        writer.WriteStartObject();
                        writer.WriteEndObject();
                    }
                    else
                    {
                        ApiJson.Serialize(writer, obj.Metadata);
                    }

                    writer.WriteEndObject();
                    break;
                case IncludeObjectPolicy.None:
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(include), include, "unknown includeObject policy");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads the <c>includeObject</c> query parameter: empty means Metadata; anything but None, Metadata or Object is
    /// refused, as kube-apiserver answers <c>unrecognized includeObject value: "x"</c> (400 Bad Request).
    /// </summary>
    public static bool TryParseIncludeObject(string? value, out IncludeObjectPolicy policy)
    {
        switch (value)
        {
            case null or "" or "Metadata":
                policy = IncludeObjectPolicy.Metadata;
                return true;
            case "None":
                policy = IncludeObjectPolicy.None;
                return true;
            case "Object":
                policy = IncludeObjectPolicy.Object;
                return true;
            default:
                policy = IncludeObjectPolicy.Metadata;
                return false;
        }
    }

    private static void WriteListMeta(Utf8JsonWriter writer, TableListMeta meta)
    {
        writer.WriteStartObject("metadata");
        if (!string.IsNullOrEmpty(meta.ResourceVersion))
        {
            writer.WriteString("resourceVersion", meta.ResourceVersion);
        }

        if (!string.IsNullOrEmpty(meta.Continue))
        {
            writer.WriteString("continue", meta.Continue);
        }

        if (meta.RemainingItemCount is { } remaining)
        {
            writer.WriteNumber("remainingItemCount", remaining);
        }

        writer.WriteEndObject();
    }

    private static void WriteCell(Utf8JsonWriter writer, object? cell)
    {
        switch (cell)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            default:
                throw new InvalidOperationException($"a Table cell must be a string, integer or boolean, not {cell.GetType().Name}");
        }
    }
}
