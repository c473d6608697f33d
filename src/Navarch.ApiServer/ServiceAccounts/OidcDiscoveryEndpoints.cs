using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// Service-account issuer discovery, as kube-apiserver serves it: an OpenID provider configuration at
/// <c>/.well-known/openid-configuration</c> and the public signing keys at <c>/openid/v1/jwks</c>, so other parties
/// can verify service-account tokens. Like kube-apiserver's defaults, both need an authenticated request.
/// </summary>
internal static class OidcDiscoveryEndpoints
{
    public const string ConfigurationPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/openid/v1/jwks";

    private const string CacheControl = "public, max-age=3600";

    public static IEndpointRouteBuilder MapServiceAccountIssuerDiscovery(
        this IEndpointRouteBuilder app, ServiceAccountKey key, ServiceAccountTokenSettings settings)
    {
        var jwks = Jwks(key);
        app.MapGet(JwksPath, (HttpContext context) => WriteAsync(context, "application/jwk-set+json", jwks));
        app.MapGet(ConfigurationPath, (HttpContext context) =>
        {
            // kube-apiserver names the JWKS at its external address when --service-account-jwks-uri is not set;
            // the address this request reached is ours.
            var jwksUri = $"https://{context.Request.Host}{JwksPath}";
            return WriteAsync(context, "application/json", Configuration(settings.Issuer, jwksUri));
        });
        return app;
    }

    internal static byte[] Configuration(string issuer, string jwksUri) => Json(w =>
    {
        w.WriteString("issuer", issuer);
        w.WriteString("jwks_uri", jwksUri);
        WriteArray(w, "response_types_supported", "id_token");
        WriteArray(w, "subject_types_supported", "public");
        WriteArray(w, "id_token_signing_alg_values_supported", ServiceAccountKey.Algorithm);
    });

    internal static byte[] Jwks(ServiceAccountKey key) => Json(w =>
    {
        w.WriteStartArray("keys");
        key.WriteJwk(w);
        w.WriteEndArray();
    });

    private static async Task WriteAsync(HttpContext context, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = CacheControl;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteArray(Utf8JsonWriter w, string name, string value)
    {
        w.WriteStartArray(name);
        w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
