using System.Buffers;
using System.Text.Json;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>One line of a watch stream, <c>{"type":"ADDED","object":{...}}</c>, parsed straight from UTF-8.</summary>
internal readonly record struct WatchFrame<T>(string Type, T? Object, V1Status? Status)
    where T : class
{
    /// <summary>
    /// Parses one frame. The API server writes <c>type</c> before <c>object</c>, so the object's type is known when it
    /// is reached; an ERROR frame carries a Status instead of the watched kind.
    /// </summary>
    public static WatchFrame<T> Parse(ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A watch frame is not a JSON object.");
        }

        string? type = null;
        T? obj = null;
        V1Status? status = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("object"u8) && type is not null)
            {
                reader.Read();
                if (type == "ERROR")
                {
                    status = JsonSerializer.Deserialize<V1Status>(ref reader, KubeJson.Options);
                }
                else
                {
                    obj = JsonSerializer.Deserialize<T>(ref reader, KubeJson.Options);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return new WatchFrame<T>(type ?? throw new JsonException("A watch frame has no type."), obj, status);
    }
}
