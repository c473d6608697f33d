namespace Navarch.ApiServer.OpenApi;

/// <summary>One HTTP operation of a resource path, independent of the OpenAPI version it is rendered in.</summary>
/// <param name="Method">Lower-case HTTP method (<c>get</c>, <c>post</c>, <c>put</c>, <c>patch</c>, <c>delete</c>).</param>
/// <param name="Action">The <c>x-kubernetes-action</c>: get, list, post, put, patch, delete, deletecollection, watch, watchlist.</param>
/// <param name="Body">Definition name of the request body, if any.</param>
/// <param name="Response">Definition name of the success response.</param>
internal sealed record ApiOperation(
    string Method,
    string OperationId,
    string Action,
    string Description,
    GroupVersionKind Kind,
    IReadOnlyList<ApiParameter> Parameters,
    string? Body,
    string Response,
    IReadOnlyList<int> SuccessCodes,
    string Tag);
