using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// The opaque <c>continue</c> token of a paged list, in kube-apiserver's shape: base64 of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"key"}</c>, so the next page is read at the same revision.
/// </summary>
public sealed record ContinueToken(long Revision, string StartAfter)
{
    public string Encode()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Payload("meta.k8s.io/v1", Revision, StartAfter), ContinueTokenJson.Default.Payload);
        return Base64Url.EncodeToString(json);
    }

    public static ContinueToken Decode(string token)
    {
        try
        {
            var bytes = token.Contains('+', StringComparison.Ordinal) || token.Contains('/', StringComparison.Ordinal) || token.EndsWith('=')
                ? Convert.FromBase64String(token)
                : Base64Url.DecodeFromChars(token);
            var payload = JsonSerializer.Deserialize(bytes, ContinueTokenJson.Default.Payload);
            if (payload is null || payload.V != "meta.k8s.io/v1" || payload.Rv <= 0 || string.IsNullOrEmpty(payload.Start))
            {
                throw new FormatException("bad continue token");
            }

            return new ContinueToken(payload.Rv, payload.Start);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {Encoding.UTF8.GetByteCount(token)} bytes could not be decoded");
        }
    }

    internal sealed record Payload(string V, long Rv, string Start);
}
