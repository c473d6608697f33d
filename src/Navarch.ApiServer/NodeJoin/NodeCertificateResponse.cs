namespace Navarch.ApiServer.NodeJoin;

/// <summary>What <c>POST /v1-navarch/node-certificate</c> returns: the node's credentials and the CA, all PEM.</summary>
internal sealed record NodeCertificateResponse(string Certificate, string Key, string Ca);
