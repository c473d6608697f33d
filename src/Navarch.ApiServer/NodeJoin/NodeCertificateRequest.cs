namespace Navarch.ApiServer.NodeJoin;

/// <summary>The body of <c>POST /v1-navarch/node-certificate</c>.</summary>
internal sealed record NodeCertificateRequest(string? NodeName);
