import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that the HTTP/1 decoder cannot parse with the service's error envelope, then closes the
/// connection: request headers over the decoder's limits (80 KiB in all, 1,000 fields) are 431
/// `request_header_fields_too_large`, any other malformed request 400 `malformed_request`. Without it, Hummingbird
/// answers an empty 400.
///
/// Sits after the HTTP/1 ↔ HTTP types codec. It only answers between requests (no response in flight): a parse
/// error in the middle of a response is passed on, and the framework closes the connection as before.
final class HTTPParseErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head was read and whose response has not ended.
    private var open = 0
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { open += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { open = max(0, open - 1) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, open == 0 else {
            context.fireErrorCaught(error)
            return
        }
        if answered { return }
        answered = true
        let error: APIError = parseError == .headerOverflow
            ? APIError(.init(code: 431, reasonPhrase: "Request Header Fields Too Large"), code: "request_header_fields_too_large",
                       message: "request headers exceed the server's limit (80 KiB in all, 1000 fields)")
            : APIError(.badRequest, code: "malformed_request", message: "malformed HTTP request (\(parseError))")
        let body = ByteBuffer(string: JSONText.encode(error.json))
        let head = HTTPResponse(status: error.status, headerFields: [
            .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
