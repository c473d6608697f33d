using System.Text.Json;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>What token validation needs of an object: its UID and when its deletion began.</summary>
internal sealed record ObjectIdentity(string Uid, DateTimeOffset? DeletionTimestamp)
{
    public static ObjectIdentity Read(CachedObject obj)
    {
        using var doc = JsonDocument.Parse(obj.Json);
        if (!doc.RootElement.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object)
        {
            return new ObjectIdentity("", null);
        }

        var uid = meta.TryGetProperty("uid", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() ?? "" : "";
        DateTimeOffset? deleted = meta.TryGetProperty("deletionTimestamp", out var d) && d.ValueKind == JsonValueKind.String
            && d.TryGetDateTimeOffset(out var at) ? at : null;
        return new ObjectIdentity(uid, deleted);
    }
}
