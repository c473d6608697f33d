using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// Keeps <c>metadata.managedFields</c> up to date on ordinary writes (create, update, non-apply patch), as
/// kube-apiserver's field manager does: the writer comes to own the fields its write changed, under an
/// <c>Update</c> entry, and every other manager loses them.
/// </summary>
public static class ManagedFieldsTracker
{
    /// <summary>kube-apiserver's limit on a field manager's name.</summary>
    public const int MaxManagerLength = 128;

    /// <summary>
    /// The manager name for a write: the <c>fieldManager</c> query parameter when given, else the User-Agent up to its
    /// first <c>/</c> with unprintable characters dropped and cut to 128 bytes, as kube-apiserver derives it
    /// (so <c>kubectl/v1.32.0 (linux/amd64) kubernetes/abc</c> becomes <c>kubectl</c>).
    /// </summary>
    public static string ManagerName(string? fieldManager, string? userAgent)
    {
        if (!string.IsNullOrEmpty(fieldManager))
        {
            return fieldManager;
        }

        var prefix = (userAgent ?? "").Split('/')[0];
        var builder = new StringBuilder();
        var bytes = 0;
        foreach (var rune in prefix.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
            {
                continue;
            }

            if (bytes + rune.Utf8SequenceLength > MaxManagerLength)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    /// <summary>
    /// Records on a typed object that <paramref name="manager"/> wrote it over <paramref name="oldObj"/> (null on create):
    /// sets <c>newObj.Metadata.ManagedFields</c>. The model type is the object's own type.
    /// </summary>
    public static void RecordUpdate(
        IKubernetesObject<V1ObjectMeta>? oldObj, IKubernetesObject<V1ObjectMeta> newObj, string manager, string apiVersion,
        DateTimeOffset now, string operation = ManagedFieldsEntry.UpdateOperation, string? subresource = null)
    {
        var oldJson = oldObj is null ? null : ApiJson.SerializeToNode(oldObj) as JsonObject;
        if (ApiJson.SerializeToNode(newObj) is not JsonObject newJson)
        {
            throw new ArgumentException("the object did not serialize to a JSON object", nameof(newObj));
        }

        RecordUpdate(oldJson, newJson, manager, apiVersion, now, newObj.GetType(), operation, subresource);
        newObj.Metadata ??= new V1ObjectMeta();
        newObj.Metadata.ManagedFields = newJson["metadata"]?["managedFields"] is JsonArray entries
            ? (IList<V1ManagedFieldsEntry>?)ApiJson.Deserialize(entries, typeof(List<V1ManagedFieldsEntry>))
            : null;
    }

    /// <summary>
    /// Records in <paramref name="newObj"/>'s <c>metadata.managedFields</c> that <paramref name="manager"/> wrote it
    /// over <paramref name="oldObj"/> (null on create). <paramref name="newObj"/> is changed in place.
    /// </summary>
    /// <param name="modelType">The <c>k8s.Models</c> type of the kind, for list keys; null when untyped.</param>
    /// <remarks>
    /// As kube-apiserver does: managedFields the client sent are kept when they decode and are not empty (so tools can
    /// edit them), otherwise the stored ones are used (so clients unaware of the field cannot drop it); a single empty
    /// entry (<c>[{}]</c>) clears them all. Entries of the same manager, operation and apiVersion are merged; the entry's
    /// time moves only when the write changed something.
    /// </remarks>
    public static void RecordUpdate(
        JsonObject? oldObj, JsonObject newObj, string manager, string apiVersion, DateTimeOffset now, Type? modelType,
        string operation = ManagedFieldsEntry.UpdateOperation, string? subresource = null)
    {
        var engine = ApplyEngine.Default;
        if (IsResetRequest(newObj))
        {
            (newObj["metadata"] as JsonObject)?.Remove("managedFields");
            return;
        }

        var managers = subresource is null ? TryRead(newObj) : null;
        if (managers is null || managers.Count == 0)
        {
            managers = TryRead(oldObj) ?? [];
        }

        var root = engine.Schema.Root(modelType);
        var comparison = engine.Comparer.Compare(WithoutManagedFields(oldObj), WithoutManagedFields(newObj), root);
        var changed = ManagedFieldsPolicy.Owned(comparison.Changed, subresource);

        var updated = new List<ManagedFieldsEntry>(managers.Count + 1);
        ManagedFieldsEntry? own = null;
        foreach (var entry in managers)
        {
            var remaining = entry with { Fields = entry.Fields.Except(changed).Except(comparison.Removed) };
            if (entry.IsSameManager(manager, operation, apiVersion, subresource))
            {
                own = own is null ? remaining : own with { Fields = own.Fields.Union(remaining.Fields) };
            }
            else
            {
                updated.Add(remaining);
            }
        }

        if (!changed.IsEmpty)
        {
            own = new ManagedFieldsEntry(
                manager, operation, apiVersion, ManagedFieldsEntry.FormatTime(now), subresource,
                own is null ? changed : own.Fields.Union(changed));
        }

        if (own is not null)
        {
            updated.Add(own);
        }

        ManagedFieldsEntry.WriteAll(newObj, updated);
    }

    private static bool IsResetRequest(JsonObject obj) =>
        obj["metadata"]?["managedFields"] is JsonArray { Count: 1 } array && array[0] is JsonObject { Count: 0 };

    private static List<ManagedFieldsEntry>? TryRead(JsonObject? obj)
    {
        try
        {
            return ManagedFieldsEntry.ReadAll(obj);
        }
        catch (FormatException)
        {
            // As kube-apiserver does, managedFields that do not decode are ignored rather than failing the write.
            return null;
        }
    }

    private static JsonObject? WithoutManagedFields(JsonObject? obj)
    {
        if (obj?["metadata"] is not JsonObject { } metadata || !metadata.ContainsKey("managedFields"))
        {
            return obj;
        }

        var copy = (JsonObject)obj.DeepClone();
        ((JsonObject)copy["metadata"]!).Remove("managedFields"); // checked above that metadata is an object
        return copy;
    }
}
