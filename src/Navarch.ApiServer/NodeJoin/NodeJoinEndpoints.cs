using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Navarch.Api.Labels;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.NodeJoin;

/// <summary>
/// What an agent needs to join, served before API authentication because a new node has no client certificate yet
/// (k3s serves the same pair as <c>/cacerts</c> and <c>/v1-k3s/client-kubelet.crt</c>):
/// <list type="bullet">
/// <item><c>GET /cacerts</c>, anonymous: the CA bundle, whose hash the agent checks against its token.</item>
/// <item><c>POST /v1-navarch/node-certificate</c> with <c>Authorization: Bearer &lt;token secret&gt;</c> and
/// <c>{"nodeName":"n1"}</c>: a fresh key and a client certificate for CN <c>system:node:n1</c>, O <c>system:nodes</c>.</item>
/// </list>
/// </summary>
internal static class NodeJoinEndpoints
{
    public const string CaCertsPath = "/cacerts";
    public const string NodeCertificatePath = "/v1-navarch/node-certificate";

    public const string NodeUserPrefix = "system:node:";
    public const string NodesGroup = "system:nodes";

    /// <summary>A request body larger than this is not a node name.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    private const string BearerPrefix = "Bearer ";

    /// <summary>Node client certificates last a year, as k3s issues them.</summary>
    public static readonly TimeSpan CertificateLifetime = TimeSpan.FromDays(365);

    /// <summary>Adds both endpoints as pipeline branches; call before <c>UseApiAuthentication</c>.</summary>
    public static IApplicationBuilder UseNodeJoin(this IApplicationBuilder app, NodeToken token, ClusterCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(certificates);
        var caBytes = System.Text.Encoding.UTF8.GetBytes(certificates.CaCertificatePem);
        app.Map(CaCertsPath, branch => branch.Run(context => ServeCaAsync(context, caBytes)));
        app.Map(NodeCertificatePath, branch => branch.Run(context => IssueAsync(context, token, certificates)));
        return app;
    }

    private static async Task ServeCaAsync(HttpContext context, byte[] caBytes)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            await ResponseWriter.WriteStatusAsync(context, ApiException.MethodNotSupported("", "cacerts", context.Request.Method)).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = caBytes.Length;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(caBytes, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task IssueAsync(HttpContext context, NodeToken token, ClusterCertificates certificates)
    {
        var request = context.Request;
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            || !token.SecretMatches(authorization.AsSpan(BearerPrefix.Length).Trim()))
        {
            await ResponseWriter.WriteStatusAsync(context, ApiException.Unauthorized()).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            await ResponseWriter.WriteStatusAsync(context, ApiException.MethodNotSupported("", "node-certificate", request.Method)).ConfigureAwait(false);
            return;
        }

        string nodeName;
        try
        {
            nodeName = await ReadNodeNameAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await ResponseWriter.WriteStatusAsync(context, e).ConfigureAwait(false);
            return;
        }

        var issued = certificates.IssueClientCertificate(NodeUserPrefix + nodeName, [NodesGroup], CertificateLifetime);
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new NodeCertificateResponse(issued.CertificatePem, issued.PrivateKeyPem, certificates.CaCertificatePem),
            NodeJoinJsonContext.Default.NodeCertificateResponse);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<string> ReadNodeNameAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw ApiException.RequestEntityTooLarge("the request body is too large");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw ApiException.RequestEntityTooLarge("the request body is too large");
            }

            buffer.Write(chunk, 0, read);
        }

        NodeCertificateRequest? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), NodeJoinJsonContext.Default.NodeCertificateRequest);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"invalid node certificate request: {e.Message}");
        }

        var name = parsed?.NodeName ?? "";
        if (name.Length == 0)
        {
            throw ApiException.BadRequest("nodeName: Required value");
        }

        var errors = LabelValidation.IsDns1123Subdomain(name);
        if (errors.Count > 0)
        {
            throw ApiException.BadRequest($"nodeName: Invalid value: \"{name}\": {string.Join("; ", errors)}");
        }

        return name;
    }
}
