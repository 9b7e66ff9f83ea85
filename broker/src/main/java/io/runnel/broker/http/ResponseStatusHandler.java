package io.runnel.broker.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Reports the status of every response written on the port to a {@link ResponseObserver}. Sits
 * just behind the HTTP codec so it sees the answers of every guard and route. Stateless, shared.
 */
@ChannelHandler.Sharable
public final class ResponseStatusHandler extends ChannelOutboundHandlerAdapter {
    private final String api;
    private final ResponseObserver observer;

    public ResponseStatusHandler(String api, ResponseObserver observer) {
        this.api = api;
        this.observer = observer;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            observer.responded(api, response.status().code());
        }
        ctx.write(msg, promise);
    }
}
