using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// Picks the response representation from an Accept header the way kube-apiserver does: the first media range it
/// can serve wins; protobuf is not offered, so clients that also accept JSON get JSON.
/// </summary>
public static class ContentNegotiation
{
    public static ResponseFormat Negotiate(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return ResponseFormat.Json;
        }

        foreach (var range in accept.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = range.Split(';', StringSplitOptions.TrimEntries);
            var mediaType = parts[0].ToLowerInvariant();
            if (mediaType is not ("application/json" or "application/*" or "*/*"))
            {
                continue;
            }

            string? @as = null, g = null, v = null;
            for (var i = 1; i < parts.Length; i++)
            {
                var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                var value = parts[i][(eq + 1)..].Trim('"');
                switch (parts[i][..eq].Trim().ToLowerInvariant())
                {
                    case "as":
                        @as = value;
                        break;
                    case "g":
                        g = value;
                        break;
                    case "v":
                        v = value;
                        break;
                }
            }

            if (@as is null)
            {
                return ResponseFormat.Json;
            }

            if (g == "meta.k8s.io" && v is "v1" or "v1beta1")
            {
                if (@as == "Table")
                {
                    return ResponseFormat.Table;
                }

                if (@as is "PartialObjectMetadata" or "PartialObjectMetadataList")
                {
                    return ResponseFormat.PartialObjectMetadata;
                }
            }
        }

        throw ApiException.NotAcceptable(
            "only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
    }
}
