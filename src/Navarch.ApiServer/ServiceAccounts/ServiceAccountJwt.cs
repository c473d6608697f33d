using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// Encodes and verifies service-account tokens as compact JWS (RFC 7515): <c>header.payload.signature</c>, each
/// base64url, signed with RS256 under the key's <c>kid</c>.
/// </summary>
internal static class ServiceAccountJwt
{
    private const string KubernetesClaim = "kubernetes.io";

    /// <summary>kube-apiserver rejects tokens larger than this before parsing; so do we.</summary>
    private const int MaxTokenLength = 16 * 1024;

    public static string Encode(ServiceAccountTokenClaims claims, ServiceAccountKey key)
    {
        var header = Base64Url.Encode(Json(w =>
        {
            w.WriteString("alg", ServiceAccountKey.Algorithm);
            w.WriteString("kid", key.KeyId);
        }));
        var payload = Base64Url.Encode(Json(w => WritePayload(w, claims)));
        var signingInput = header + "." + payload;
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.Encode(signature);
    }

    /// <summary>
    /// The claims of <paramref name="token"/> when it is a JWS that <paramref name="key"/> signed and whose payload
    /// has the shape of a service-account token; null otherwise. Time, issuer and audience are the caller's checks.
    /// </summary>
    public static ServiceAccountTokenClaims? TryDecode(string token, ServiceAccountKey key)
    {
        if (token.Length > MaxTokenLength)
        {
            return null;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return null;
        }

        var headerBytes = Base64Url.TryDecode(token.AsSpan(0, first));
        var payloadBytes = Base64Url.TryDecode(token.AsSpan(first + 1, second - first - 1));
        var signature = Base64Url.TryDecode(token.AsSpan(second + 1));
        if (headerBytes is null || payloadBytes is null || signature is null || !HeaderMatches(headerBytes, key))
        {
            return null;
        }

        if (!key.Verify(Encoding.ASCII.GetBytes(token, 0, second), signature))
        {
            return null;
        }

        try
        {
            return ReadPayload(payloadBytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool HeaderMatches(byte[] header, ServiceAccountKey key)
    {
        try
        {
            using var doc = JsonDocument.Parse(header);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != ServiceAccountKey.Algorithm)
            {
                return false;
            }

            // A kid, when present, must be ours: another issuer's token must not be tried against this key.
            return !root.TryGetProperty("kid", out var kid) || (kid.ValueKind == JsonValueKind.String && kid.GetString() == key.KeyId);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePayload(Utf8JsonWriter w, ServiceAccountTokenClaims claims)
    {
        // A single audience is still written as an array, as kube-apiserver's go-jose does.
        w.WriteStartArray("aud");
        foreach (var audience in claims.Audiences)
        {
            w.WriteStringValue(audience);
        }

        w.WriteEndArray();
        w.WriteNumber("exp", claims.Expiry.ToUnixTimeSeconds());
        w.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
        w.WriteString("iss", claims.Issuer);
        w.WriteString("jti", claims.Id);
        w.WriteStartObject(KubernetesClaim);
        w.WriteString("namespace", claims.Namespace);
        WriteRef(w, "node", claims.Node);
        WriteRef(w, "pod", claims.Pod);
        WriteRef(w, "secret", claims.Secret);
        WriteRef(w, "serviceaccount", claims.ServiceAccount);
        if (claims.WarnAfter is { } warnAfter)
        {
            w.WriteNumber("warnafter", warnAfter.ToUnixTimeSeconds());
        }

        w.WriteEndObject();
        w.WriteNumber("nbf", claims.NotBefore.ToUnixTimeSeconds());
        w.WriteString("sub", claims.Subject);
    }

    private static void WriteRef(Utf8JsonWriter w, string name, BoundObject? value)
    {
        if (value is null)
        {
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("name", value.Name);
        w.WriteString("uid", value.Uid);
        w.WriteEndObject();
    }

    private static ServiceAccountTokenClaims? ReadPayload(byte[] payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(KubernetesClaim, out var k8s) || k8s.ValueKind != JsonValueKind.Object
            || String(k8s, "namespace") is not { Length: > 0 } ns
            || Ref(k8s, "serviceaccount") is not { } account
            || String(root, "iss") is not { } issuer
            || Time(root, "exp") is not { } exp)
        {
            return null;
        }

        // The sub claim must agree with the private claim, or the token names two identities.
        if (String(root, "sub") != ServiceAccountTokenClaims.UserName(ns, account.Name))
        {
            return null;
        }

        return new ServiceAccountTokenClaims
        {
            Issuer = issuer,
            Audiences = Audiences(root),
            Expiry = exp,
            IssuedAt = Time(root, "iat") ?? DateTimeOffset.MinValue,
            NotBefore = Time(root, "nbf") ?? DateTimeOffset.MinValue,
            Id = String(root, "jti") ?? "",
            Namespace = ns,
            ServiceAccount = account,
            Pod = Ref(k8s, "pod"),
            Secret = Ref(k8s, "secret"),
            Node = Ref(k8s, "node"),
            WarnAfter = Time(k8s, "warnafter"),
        };
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            && seconds is >= -62135596800 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static BoundObject? Ref(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            && String(value, "name") is { Length: > 0 } refName && String(value, "uid") is { } uid
            ? new BoundObject(refName, uid)
            : null;

    /// <summary>RFC 7519 allows aud as one string or an array of strings.</summary>
    private static IReadOnlyList<string> Audiences(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud))
        {
            return [];
        }

        if (aud.ValueKind == JsonValueKind.String)
        {
            return [aud.GetString() ?? ""];
        }

        var list = new List<string>();
        if (aud.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in aud.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    list.Add(item.GetString() ?? "");
                }
            }
        }

        return list;
    }
}
