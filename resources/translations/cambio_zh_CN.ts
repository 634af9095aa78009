<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AssetCard</name>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="103"/>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="121"/>
        <source>Unconfirmed</source>
        <translation>未确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="80"/>
        <source>Receive address</source>
        <translation>收款地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="89"/>
        <source>Copy address</source>
        <translation>复制地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="92"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="105"/>
        <source>Confirmed coins not reserved: what a new order or a payment can use.</source>
        <translation>未被占用的已确认币：可用于新订单或付款。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="108"/>
        <source>Locked in orders</source>
        <translation>订单中锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="110"/>
        <source>Coins reserved for your open orders.</source>
        <translation>为您未完成的订单预留的币。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="113"/>
        <source>Locked in swaps</source>
        <translation>兑换中锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="116"/>
        <source>Coins set aside to fund swaps, and coins sent into swap contracts that have not been redeemed or refunded yet.</source>
        <translation>为兑换注资预留的币，以及已转入兑换合约、尚未被赎回或退款的币。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="123"/>
        <source>Coins waiting for their first confirmation.</source>
        <translation>等待首次确认的币。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="145"/>
        <source> · simulated by a Litecoin regtest chain</source>
        <translation> · 由莱特币 regtest 链模拟</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="164"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>BackendPage</name>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="32"/>
        <source>Public Electrum servers (recommended)</source>
        <translation>公共 Electrum 服务器（推荐）</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="34"/>
        <source>My own Electrum server</source>
        <translation>我自己的 Electrum 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="36"/>
        <source>My own Bitcoin Core and Litecoin Core nodes</source>
        <translation>我自己的 Bitcoin Core 和 Litecoin Core 节点</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="46"/>
        <source>No download: well-known servers answer, and Cambio checks what a swap depends on against the chain&apos;s proof of work. The servers see your addresses.</source>
        <translation>无需下载区块链：由知名服务器应答，Cambio 会用链的工作量证明核验兑换所依赖的一切。服务器能看到您的地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="64"/>
        <source>{name} login file</source>
        <translation>{name} 登录文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="72"/>
        <source>Leave the address empty for a node on this computer. Without a login file Cambio reads the node&apos;s cookie from its data directory.</source>
        <translation>节点在本机时地址可留空。没有登录文件时，Cambio 从节点的数据目录读取其 cookie。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="88"/>
        <source>You can change this later in Settings, per chain.</source>
        <translation>以后可以在“设置”中按链更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_backend_page.py" line="105"/>
        <source>empty: the cookie {path}</source>
        <translation>留空：使用 cookie {path}</translation>
    </message>
</context>
<context>
    <name>BookModel</name>
    <message>
        <location filename="../../app/ui/book_model.py" line="115"/>
        <source>Price ({quote})</source>
        <translation>价格 ({quote})</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_model.py" line="116"/>
        <source>Amount ({base})</source>
        <translation>数量 ({base})</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_model.py" line="117"/>
        <source>Total ({base})</source>
        <translation>累计 ({base})</translation>
    </message>
</context>
<context>
    <name>BookView</name>
    <message>
        <location filename="../../app/ui/book_view.py" line="212"/>
        <source>Order book</source>
        <translation>订单簿</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="218"/>
        <source>Mid price: halfway between the best bid and the best ask</source>
        <translation>中间价：最高买价与最低卖价的中点</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="258"/>
        <source>Order book  {base}/{quote}</source>
        <translation>订单簿  {base}/{quote}</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="260"/>
        <source>{quote} mid</source>
        <translation>{quote} 中间价</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="280"/>
        <source>No spread: one side is empty</source>
        <translation>无价差：一侧没有订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="286"/>
        <source>Spread {spread} ({pct})</source>
        <translation>价差 {spread}（{pct}）</translation>
    </message>
</context>
<context>
    <name>CandleChartWidget</name>
    <message>
        <location filename="../../app/ui/charts.py" line="276"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="289"/>
        <source>Candle width</source>
        <translation>K线周期</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="306"/>
        <source>Price  {base}/{quote}</source>
        <translation>价格  {base}/{quote}</translation>
    </message>
</context>
<context>
    <name>CandlePlot</name>
    <message>
        <location filename="../../app/ui/candle_plot.py" line="53"/>
        <source>No trades yet</source>
        <translation>暂无成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/candle_plot.py" line="169"/>
        <source>Vol</source>
        <translation>量</translation>
    </message>
</context>
<context>
    <name>CertChangeBox</name>
    <message>
        <location filename="../../app/ui/cert_change_box.py" line="30"/>
        <source>The Electrum server {server} shows another certificate than the one pinned when Cambio first used it. An operator who renewed the certificate does this, and so does someone between you and the server.

New certificate (SHA-256):
{offered}

Pinned certificate:
{pinned}

Trust the new one only if its fingerprint is the one the operator published. Until then Cambio keeps asking the other servers.</source>
        <translation>Electrum 服务器 {server} 出示的证书与 Cambio 首次使用时固定的证书不同。运营者更新证书时会这样，有人在您与服务器之间截获连接时也会这样。

新证书（SHA-256）：
{offered}

已固定的证书：
{pinned}

只有当该指纹与运营者公布的一致时才信任新证书。在此之前，Cambio 会继续使用其他服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/cert_change_box.py" line="38"/>
        <source>Server certificate changed</source>
        <translation>服务器证书已更改</translation>
    </message>
    <message>
        <location filename="../../app/ui/cert_change_box.py" line="39"/>
        <source>Trust the new certificate</source>
        <translation>信任新证书</translation>
    </message>
    <message>
        <location filename="../../app/ui/cert_change_box.py" line="40"/>
        <source>Keep refusing</source>
        <translation>继续拒绝</translation>
    </message>
</context>
<context>
    <name>ClientBridge</name>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="125"/>
        <source>Cannot register with the DEX server yet</source>
        <translation>暂时无法在 DEX 服务器注册</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="214"/>
        <source>The server refused the order: {0}</source>
        <translation>服务器拒绝了该订单：{0}</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="217"/>
        <source>Not connected to the DEX server; the order was not sent. Try again when connected.</source>
        <translation>未连接到 DEX 服务器，订单未发送。连接后请重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="228"/>
        <source>Could not cancel the order</source>
        <translation>无法取消订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="233"/>
        <source>Could not accept the server key</source>
        <translation>无法接受服务器密钥</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="256"/>
        <source>Could not apply the settings</source>
        <translation>无法应用设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="247"/>
        <source>The refund time has not come yet</source>
        <translation>尚未到退款时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="251"/>
        <source>The refund could not be broadcast</source>
        <translation>无法广播退款交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/client_bridge.py" line="249"/>
        <source>The refund was not sent</source>
        <translation>退款未发送</translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="140"/>
        <source>Confirm order</source>
        <translation>确认订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="145"/>
        <source>Buy</source>
        <translation>买入</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="145"/>
        <source>Sell</source>
        <translation>卖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="147"/>
        <source>{verb} {qty} {base} at {price} {quote}</source>
        <translation>以 {price} {quote} 的价格{verb} {qty} {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="155"/>
        <source>Buy {base} with {qty} {quote} at market</source>
        <translation>以市价用 {qty} {quote} 买入 {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="159"/>
        <source>Sell {qty} {base} at market</source>
        <translation>以市价卖出 {qty} {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="166"/>
        <source>Standing (stays on the book until filled or cancelled)</source>
        <translation>挂单（留在订单簿上，直到成交或取消）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="168"/>
        <source>Immediate (this match cycle only)</source>
        <translation>即时（仅限本轮撮合）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="171"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="171"/>
        <source>Limit</source>
        <translation>限价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="171"/>
        <source>Market</source>
        <translation>市价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="172"/>
        <source>Time in force</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="173"/>
        <source>Spends</source>
        <translation>花费</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="174"/>
        <source>Max. fees</source>
        <translation>最高手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="175"/>
        <source>Funding locked</source>
        <translation>锁定资金</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="188"/>
        <source>Fees are the worst case: one swap transaction per lot, plus {coins} funding input(s). The coins stay locked until the order is filled or cancelled; each match settles as an atomic swap that the app must be running to complete.</source>
        <translation>手续费按最坏情况估算：每手一笔兑换交易，另加 {coins} 个资金输入。在订单成交或取消之前，这些币会一直被锁定；每次撮合都以原子兑换结算，完成结算时应用必须保持运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="199"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>DepthChartWidget</name>
    <message>
        <location filename="../../app/ui/charts.py" line="122"/>
        <source>No orders in the book</source>
        <translation>订单簿中没有订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="201"/>
        <source>Bids</source>
        <translation>买盘</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="201"/>
        <source>Asks</source>
        <translation>卖盘</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="249"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="257"/>
        <source>Total</source>
        <translation>累计</translation>
    </message>
    <message>
        <location filename="../../app/ui/charts.py" line="258"/>
        <source>Value</source>
        <translation>价值</translation>
    </message>
</context>
<context>
    <name>EpochCheckMark</name>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="145"/>
        <source>Epoch {epoch} verified</source>
        <translation>周期 {epoch} 已验证</translation>
    </message>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="148"/>
        <source>Epoch {epoch} held one of your orders; the order list and shuffle seed the server published for it check out.</source>
        <translation>周期 {epoch} 包含您的订单；服务器为其公布的订单列表和洗牌种子均核对无误。</translation>
    </message>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="156"/>
        <source>Epoch {epoch}: {problems}</source>
        <translation>周期 {epoch}：{problems}</translation>
    </message>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="160"/>
        <source>What the server published for epoch {epoch} does not check out: {problems}. This warning stays until a later epoch verifies.</source>
        <translation>服务器为周期 {epoch} 公布的数据核对不符：{problems}。此警告会一直显示，直到之后的周期通过验证。</translation>
    </message>
</context>
<context>
    <name>EpochTimer</name>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="40"/>
        <source>Orders are collected for one epoch, then matched together in a shuffled order when it closes.</source>
        <translation>订单在一个周期内收集，周期结束时按随机顺序统一撮合。</translation>
    </message>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="78"/>
        <source>Epoch: waiting for the server</source>
        <translation>周期：等待服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="79"/>
        <source>Epoch {epoch} · matching in {time}</source>
        <translation>周期 {epoch} · {time} 后撮合</translation>
    </message>
    <message>
        <location filename="../../app/ui/epoch_timer.py" line="97"/>
        <source>Epoch {epoch} · next match in</source>
        <translation>周期 {epoch} · 距下次撮合</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="95"/>
        <source>Trade</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="96"/>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="97"/>
        <source>Swaps</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="98"/>
        <source>Wallet</source>
        <translation>钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="101"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="103"/>
        <source>DEX server, chain backends, language and theme</source>
        <translation>DEX 服务器、链后端、语言和主题</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="152"/>
        <source>View swaps</source>
        <translation>查看兑换</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="178"/>
        <source>Refund of swap {0} broadcast: {1}</source>
        <translation>兑换 {0} 的退款已广播：{1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="221"/>
        <source>Epoch {0} s · BTC simulated by a Litecoin regtest chain</source>
        <translation>周期 {0} 秒 · BTC 由莱特币 regtest 链模拟</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="225"/>
        <source>Epoch {0} s</source>
        <translation>周期 {0} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="247"/>
        <source>Order matched</source>
        <translation>订单已撮合</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="249"/>
        <source>A match of your order settles as swap {0}; keep Cambio running until it completes.</source>
        <translation>您的订单已撮合，将以兑换 {0} 结算；请保持 Cambio 运行直到完成。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="258"/>
        <source>Swap complete</source>
        <translation>兑换完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="259"/>
        <source>Swap {0} is complete; the coins are in your wallet.</source>
        <translation>兑换 {0} 已完成，币已进入您的钱包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="265"/>
        <source>Swap refunded</source>
        <translation>兑换已退款</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="266"/>
        <source>Swap {0}: your coins came back to your wallet.</source>
        <translation>兑换 {0}：您的币已退回钱包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="275"/>
        <source>Refunding a swap</source>
        <translation>正在退款</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="277"/>
        <source>The other side of swap {0} did not complete; your coins are being refunded.</source>
        <translation>兑换 {0} 的对方未完成，正在退还您的币。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="293"/>
        <source>Cambio</source>
        <translation>Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="301"/>
        <source>Order {0} placed</source>
        <translation>订单 {0} 已提交</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="323"/>
        <source>Resuming {n} swaps: {done} settled, {left} in progress. Keep Cambio open until they finish.</source>
        <translation>正在恢复 {n} 笔兑换：{done} 笔已结算，{left} 笔进行中。请保持 Cambio 打开直到完成。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="328"/>
        <source>All {n} resumed swaps are settled.</source>
        <translation>恢复的 {n} 笔兑换均已结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="368"/>
        <source>simulated by a Litecoin regtest chain</source>
        <translation>由莱特币 regtest 链模拟</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="405"/>
        <source>{n} swap(s) are still in progress. They continue by themselves when Cambio runs again, but it must be running again before the refund time, or the coins in them may be lost.</source>
        <translation>仍有 {n} 笔兑换在进行中。再次运行 Cambio 时它们会自动继续，但必须在退款时间之前重新运行，否则其中的币可能丢失。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="411"/>
        <source>The earliest refund time is {when} (in {left}).</source>
        <translation>最早的退款时间是 {when}（还剩 {left}）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="427"/>
        <source>Swaps in progress</source>
        <translation>兑换进行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="431"/>
        <source>Quit anyway</source>
        <translation>仍然退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="432"/>
        <source>Keep running</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="92"/>
        <source>Sent {0}: {1}</source>
        <translation>已发送 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="116"/>
        <source>The new language applies when Cambio starts again.</source>
        <translation>新语言将在 Cambio 下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="130"/>
        <source>No DEX server is configured: enter its address in Settings to trade.</source>
        <translation>尚未配置 DEX 服务器：请在“设置”中输入其地址后再交易。</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="146"/>
        <source>The DEX server cannot change now: {orders} open order(s) and {swaps} active swap(s) on the current server. Cancel the orders and let the swaps finish, then try again.</source>
        <translation>现在无法更换 DEX 服务器：当前服务器上有 {orders} 个未完成订单和 {swaps} 个进行中的兑换。请先取消订单并等待兑换完成，然后再试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="168"/>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="181"/>
        <source>{0}: no node configured</source>
        <translation>{0}：未配置节点</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="184"/>
        <source>{0} node unreachable: {1}</source>
        <translation>{0} 节点无法连接：{1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="187"/>
        <source>{0} node connected, block {1}</source>
        <translation>{0} 节点已连接，区块 {1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="210"/>
        <source>Not registered with {0}: {1}</source>
        <translation>未在 {0} 注册：{1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="218"/>
        <source>Connected to the DEX server {0}</source>
        <translation>已连接到 DEX 服务器 {0}</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_actions.py" line="224"/>
        <source>Cannot register with the DEX server yet: {0}</source>
        <translation>暂时无法在 DEX 服务器注册：{0}</translation>
    </message>
</context>
<context>
    <name>MarketList</name>
    <message>
        <location filename="../../app/ui/market_list.py" line="78"/>
        <source>Market</source>
        <translation>市场</translation>
    </message>
    <message>
        <location filename="../../app/ui/market_list.py" line="79"/>
        <source>Last price</source>
        <translation>最新价</translation>
    </message>
    <message>
        <location filename="../../app/ui/market_list.py" line="80"/>
        <source>24h change</source>
        <translation>24小时涨跌</translation>
    </message>
    <message>
        <location filename="../../app/ui/market_list.py" line="81"/>
        <source>24h volume</source>
        <translation>24小时成交量</translation>
    </message>
    <message>
        <location filename="../../app/ui/market_list.py" line="129"/>
        <source>24h high {high} · low {low}</source>
        <translation>24小时最高 {high} · 最低 {low}</translation>
    </message>
</context>
<context>
    <name>OrderForm</name>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="91"/>
        <source>Not connected to the DEX server: orders can be placed once the connection is back.</source>
        <translation>未连接到 DEX 服务器：连接恢复后即可下单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="95"/>
        <source>Enter a price.</source>
        <translation>请输入价格。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="96"/>
        <source>The price must be a multiple of {step} {quote}: try {low} or {high}.</source>
        <translation>价格必须是 {step} {quote} 的整数倍：可以试试 {low} 或 {high}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="99"/>
        <source>Enter an amount.</source>
        <translation>请输入数量。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="100"/>
        <source>The smallest order is one lot: {lot} {base}.</source>
        <translation>最小订单为一手：{lot} {base}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="101"/>
        <source>The amount must be a whole number of lots of {lot} {base}: try {low} or {high}.</source>
        <translation>数量必须是整手（每手 {lot} {base}）：可以试试 {low} 或 {high}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="105"/>
        <source>Nobody is selling: a market buy needs a standing sell order.</source>
        <translation>当前没有卖单：市价买入需要挂单中的卖单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="108"/>
        <source>A market buy must spend at least {need} {quote} (the buy buffer times one lot at the best ask).</source>
        <translation>市价买入至少需要花费 {need} {quote}（买入缓冲系数乘以最优卖价下的一手）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="113"/>
        <source>Insufficient funds: with fees this order needs {need} {asset}; {have} {asset} can back orders.</source>
        <translation>资金不足：含手续费此订单需要 {need} {asset}；可用于下单的只有 {have} {asset}。</translation>
    </message>
</context>
<context>
    <name>OrderFormView</name>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="106"/>
        <location filename="../../app/ui/order_form_view.py" line="132"/>
        <source>Buy</source>
        <translation>买入</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="106"/>
        <source>Sell</source>
        <translation>卖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="109"/>
        <source>Limit</source>
        <translation>限价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="109"/>
        <source>Market</source>
        <translation>市价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="112"/>
        <source>Standing</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="113"/>
        <source>Immediate</source>
        <translation>即时</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="116"/>
        <source>Standing orders rest on the book until filled or cancelled; immediate ones live for one match cycle.</source>
        <translation>挂单会留在订单簿上，直到成交或取消；即时订单只在一轮撮合中有效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="123"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="124"/>
        <source>Amount</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="125"/>
        <source>Max</source>
        <translation>最大</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="188"/>
        <source>Total</source>
        <translation>总计</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="189"/>
        <source>Max. fees</source>
        <translation>最高手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="190"/>
        <source>Funding needed</source>
        <translation>所需资金</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="191"/>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="200"/>
        <source>Worst case (protocol §7): one swap transaction per lot plus one input per funding coin, at the server&apos;s fee rate.</source>
        <translation>最坏情况（协议 §7）：按服务器的费率，每手一笔兑换交易，每个资金币一个输入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="225"/>
        <source>One step down</source>
        <translation>下调一档</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="226"/>
        <source>One step up</source>
        <translation>上调一档</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="338"/>
        <source>Best available</source>
        <translation>最优价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="339"/>
        <source>Price ({quote} per {base})</source>
        <translation>价格（每 {base} 多少 {quote}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="341"/>
        <source>Spend ({quote})</source>
        <translation>花费（{quote}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="343"/>
        <source>Amount ({base})</source>
        <translation>数量（{base}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="352"/>
        <source>Buy {base}</source>
        <translation>买入 {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="352"/>
        <source>Sell {base}</source>
        <translation>卖出 {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="361"/>
        <source>Sized in {quote}; at least the buy buffer times one lot</source>
        <translation>以 {quote} 计量；至少为买入缓冲倍数乘以一手</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="366"/>
        <source>= {lots} lots · 1 lot = {lot} {base}</source>
        <translation>= {lots} 手 · 1 手 = {lot} {base}</translation>
    </message>
</context>
<context>
    <name>OrdersView</name>
    <message>
        <location filename="../../app/ui/orders_view.py" line="56"/>
        <source>My orders</source>
        <translation>我的订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="64"/>
        <source>Placed</source>
        <translation>下单时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="65"/>
        <location filename="../../app/ui/orders_view.py" line="163"/>
        <source>Market</source>
        <translation>市场</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="66"/>
        <source>Side</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="67"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="68"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="69"/>
        <source>Amount</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="70"/>
        <source>Filled</source>
        <translation>已成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="71"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="89"/>
        <source>No orders yet. Place one from the Trade tab.</source>
        <translation>还没有订单。请在“交易”页下单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="94"/>
        <source>sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="95"/>
        <source>in epoch</source>
        <translation>本周期内</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="96"/>
        <source>on the book</source>
        <translation>挂单中</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="97"/>
        <source>cancelling</source>
        <translation>取消中</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="98"/>
        <source>filled</source>
        <translation>已成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="99"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="100"/>
        <source>unfilled</source>
        <translation>未成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="101"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="102"/>
        <source>revoked</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="107"/>
        <source>counterparty failed</source>
        <translation>对方未完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="108"/>
        <source>our side was late</source>
        <translation>我方操作超时</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="109"/>
        <source>by the server</source>
        <translation>由服务器撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="117"/>
        <source>{status} · refused: {reason}</source>
        <translation>{status} · 已拒绝：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="122"/>
        <source>Match {match} refused: {reason}</source>
        <translation>撮合 {match} 已拒绝：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="137"/>
        <source>revoked: {cause}</source>
        <translation>已撤销：{cause}</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="138"/>
        <source>{status} · {amount} {ticker} revoked ({cause})</source>
        <translation>{status} · {amount} {ticker} 已撤销（{cause}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="162"/>
        <source>Buy</source>
        <translation>买入</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="162"/>
        <source>Sell</source>
        <translation>卖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="163"/>
        <source>Limit</source>
        <translation>限价</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="164"/>
        <source>market</source>
        <translation>市价</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="184"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="193"/>
        <source>{live} open · {total} total</source>
        <translation>{live} 个挂单 · 共 {total} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/orders_view.py" line="200"/>
        <source>Cancelling…</source>
        <translation>取消中…</translation>
    </message>
</context>
<context>
    <name>PasswordPage</name>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="40"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="41"/>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="52"/>
        <source>Remember the password in the system keyring</source>
        <translation>在系统密钥环中记住密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="56"/>
        <source>Without a keyring Cambio asks for the password at every start. It is never written to disk in plain text.</source>
        <translation>没有密钥环时，Cambio 每次启动都会询问密码。密码绝不会以明文写入磁盘。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="70"/>
        <source>Weak</source>
        <translation>弱</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="71"/>
        <source>Fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="72"/>
        <source>Good</source>
        <translation>良好</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="73"/>
        <source>Strong</source>
        <translation>强</translation>
    </message>
</context>
<context>
    <name>RecentTrades</name>
    <message>
        <location filename="../../app/ui/trades_view.py" line="66"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/trades_view.py" line="67"/>
        <source>Amount</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/trades_view.py" line="68"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="39"/>
        <source>Pay the registration fee?</source>
        <translation>支付注册费？</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="43"/>
        <source>The DEX server asks a one-time registration fee before you can trade there. It is paid from your wallet only if you agree.</source>
        <translation>DEX 服务器要求在交易前支付一次性注册费。只有在您同意后才会从您的钱包支付。</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="56"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="59"/>
        <source>Asset</source>
        <translation>资产</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="62"/>
        <source>Network fee</source>
        <translation>网络手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="63"/>
        <source>{fee} {ticker} ({rate} sat/vB)</source>
        <translation>{fee} {ticker}（{rate} sat/vB）</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="67"/>
        <source>Paid to</source>
        <translation>支付给</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="68"/>
        <source>DEX server</source>
        <translation>DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="81"/>
        <source>Check the server address: a fee paid to a wrong server is lost. Cancel pays nothing.</source>
        <translation>请核对服务器地址：支付给错误服务器的费用无法取回。取消则不支付任何费用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="90"/>
        <source>Pay and register</source>
        <translation>支付并注册</translation>
    </message>
    <message>
        <location filename="../../app/ui/regfee_dialog.py" line="91"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SafetyNotices</name>
    <message>
        <location filename="../../app/ui/safety_notices.py" line="105"/>
        <source>Match refused</source>
        <translation>已拒绝撮合</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_notices.py" line="106"/>
        <source>Cambio refused a match of your order {order}: {reason}</source>
        <translation>Cambio 拒绝了您的订单 {order} 的一笔撮合：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_notices.py" line="116"/>
        <source>Server refused</source>
        <translation>已拒绝服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_notices.py" line="117"/>
        <source>Cambio does not trade on {server}: {reason}</source>
        <translation>Cambio 不在 {server} 上交易：{reason}</translation>
    </message>
</context>
<context>
    <name>SafetySection</name>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="75"/>
        <source>Cambio refuses a match outside these limits before anything is signed, and tells you why. They can only narrow Cambio&apos;s own rules.</source>
        <translation>超出这些限制的撮合会在签署任何内容之前被 Cambio 拒绝，并告诉您原因。这些限制只能收紧 Cambio 自身的规则。</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="99"/>
        <source>Max fee rate</source>
        <translation>最高费率</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="99"/>
        <source>atoms/vB</source>
        <translation>atoms/vB</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="100"/>
        <source>Min confirmations</source>
        <translation>最少确认数</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="100"/>
        <source>0 = default</source>
        <translation>0 = 默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="112"/>
        <source>Max fee share</source>
        <translation>最高手续费占比</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="115"/>
        <source>% of a swap&apos;s value</source>
        <translation>%（占兑换金额）</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="122"/>
        <source>Fees: the most a server may ask per virtual byte on each chain, and the most the fees of a swap (our funding, refund and redeem) may take of its value. Confirmations: how many the other side&apos;s contract needs before we act on it (Cambio&apos;s minimum: {mins}; the server may ask for more).</source>
        <translation>手续费：服务器在每条链上每虚拟字节最多可要求的费用，以及一笔兑换的手续费（我方注资、退款和赎回）最多可占其金额的比例。确认数：对方合约在我方采取行动前需要的确认数（Cambio 的最低值：{mins}；服务器可以要求更多）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="134"/>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="151"/>
        <source>The saved safety limits are not valid ({error}); the defaults are shown.</source>
        <translation>已保存的安全限制无效（{error}）；现显示默认值。</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="184"/>
        <source>Default: {n} atoms/vB</source>
        <translation>默认：{n} atoms/vB</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="188"/>
        <source>Default: {n}</source>
        <translation>默认：{n}</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="192"/>
        <source>Default: {n} %</source>
        <translation>默认：{n} %</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="225"/>
        <source>Enter a percentage like 3.00</source>
        <translation>请输入百分比，例如 3.00</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_settings.py" line="227"/>
        <source>Enter a whole number</source>
        <translation>请输入整数</translation>
    </message>
</context>
<context>
    <name>SendDialog</name>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="71"/>
        <source>Enter the address to pay.</source>
        <translation>请输入收款地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="72"/>
        <source>This is not a valid {ticker} address.</source>
        <translation>这不是有效的 {ticker} 地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="73"/>
        <source>This is a {network} address, not {ticker}.</source>
        <translation>这是 {network} 地址，不是 {ticker} 地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="76"/>
        <source>Enter an amount.</source>
        <translation>请输入金额。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="77"/>
        <source>Enter an amount in {ticker}, with at most 8 decimals.</source>
        <translation>请输入以 {ticker} 计的金额，最多 8 位小数。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="80"/>
        <source>Too small: the minimum is {limit} {ticker}.</source>
        <translation>金额太小：最少为 {limit} {ticker}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="81"/>
        <source>Not enough funds: {limit} {ticker} available, fee included.</source>
        <translation>余额不足：可用 {limit} {ticker}（含手续费）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="122"/>
        <location filename="../../app/ui/send_dialog.py" line="138"/>
        <source>Send {ticker}</source>
        <translation>发送 {ticker}</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="141"/>
        <source>Available: {amount} {ticker}</source>
        <translation>可用：{amount} {ticker}</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="148"/>
        <location filename="../../app/ui/send_dialog.py" line="215"/>
        <source>Pay to</source>
        <translation>收款地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="150"/>
        <source>{hrp}1… address</source>
        <translation>{hrp}1… 地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="154"/>
        <source>Amount ({ticker})</source>
        <translation>金额（{ticker}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="158"/>
        <source>Max</source>
        <translation>最大</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="165"/>
        <location filename="../../app/ui/send_dialog.py" line="217"/>
        <source>Network fee</source>
        <translation>网络手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="190"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="193"/>
        <source>Review</source>
        <translation>核对</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="208"/>
        <source>Confirm the payment</source>
        <translation>确认付款</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="216"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="218"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="230"/>
        <source>A payment cannot be undone once it is sent.</source>
        <translation>付款一经发送便无法撤销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="235"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="238"/>
        <source>Send now</source>
        <translation>立即发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="249"/>
        <source>Payment sent</source>
        <translation>付款已发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="250"/>
        <source>Transaction ID</source>
        <translation>交易 ID</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="256"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="277"/>
        <source>No fee estimate: {error}</source>
        <translation>无法估算手续费：{error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="292"/>
        <source>Fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="293"/>
        <source>Normal</source>
        <translation>普通</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="294"/>
        <source>Slow</source>
        <translation>慢速</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="298"/>
        <source>{rate} sat/vB</source>
        <translation>{rate} sat/vB</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="299"/>
        <source>~{n} blocks</source>
        <translation>约 {n} 个区块</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="303"/>
        <source>The node has no fee estimate yet; a safe default rate is used.</source>
        <translation>节点暂时无法估算手续费，将使用安全的默认费率。</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="327"/>
        <source>Network fee: loading the rate…</source>
        <translation>网络手续费：正在获取费率…</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="331"/>
        <source>Network fee ≈ {fee} {ticker}</source>
        <translation>网络手续费 ≈ {fee} {ticker}</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="339"/>
        <source>Total ≈ {total} {ticker}</source>
        <translation>合计 ≈ {total} {ticker}</translation>
    </message>
    <message>
        <location filename="../../app/ui/send_dialog.py" line="367"/>
        <source>{fee} {ticker}  ({rate} sat/vB, {vsize} vB)</source>
        <translation>{fee} {ticker}  （{rate} sat/vB，{vsize} vB）</translation>
    </message>
</context>
<context>
    <name>ServerBanner</name>
    <message>
        <location filename="../../app/ui/safety_notices.py" line="46"/>
        <source>Change server…</source>
        <translation>更换服务器…</translation>
    </message>
    <message>
        <location filename="../../app/ui/safety_notices.py" line="57"/>
        <source>Cambio does not trade on {server}: {reason}</source>
        <translation>Cambio 不在 {server} 上交易：{reason}</translation>
    </message>
</context>
<context>
    <name>ServerKeyDialog</name>
    <message>
        <location filename="../../app/ui/server_key_dialog.py" line="23"/>
        <source>The DEX server {url} now signs with another key.

Pinned key: {old}…
New key: {new}…

Cambio does not trade there until you accept the new key. Accept it only if the operator announced the change; swaps already on chain settle either way.</source>
        <translation>DEX 服务器 {url} 现在使用另一个密钥签名。

已固定的密钥：{old}…
新密钥：{new}…

在您接受新密钥之前，Cambio 不会在该服务器上交易。仅当运营方已宣布更换密钥时才接受；已上链的兑换无论如何都会继续结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/server_key_dialog.py" line="30"/>
        <source>DEX server key changed</source>
        <translation>DEX 服务器密钥已更改</translation>
    </message>
    <message>
        <location filename="../../app/ui/server_key_dialog.py" line="31"/>
        <source>Accept the new key</source>
        <translation>接受新密钥</translation>
    </message>
    <message>
        <location filename="../../app/ui/server_key_dialog.py" line="32"/>
        <source>Keep refusing</source>
        <translation>继续拒绝</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="88"/>
        <source>Local simnet (for trying Cambio out)</source>
        <translation>本地模拟网络（用于试用 Cambio）</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="89"/>
        <source>Another DEX server</source>
        <translation>其他 DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="109"/>
        <source>You can change the server later in Settings.</source>
        <translation>之后可以在“设置”中更改服务器。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="82"/>
        <source>mainnet (real money)</source>
        <translation>主网（真钱）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="83"/>
        <source>testnet</source>
        <translation>测试网</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="84"/>
        <source>the local simnet</source>
        <translation>本地模拟网</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="59"/>
        <source>The port is not valid.</source>
        <translation>端口无效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="61"/>
        <source>Use an address like http://127.0.0.1:9332</source>
        <translation>请使用类似 http://127.0.0.1:9332 的地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="87"/>
        <source>Cookie file</source>
        <translation>Cookie 文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="88"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="89"/>
        <source>Login file</source>
        <translation>登录文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="107"/>
        <source>path of a file holding user:password</source>
        <translation>包含 用户名:密码 的文件路径</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="146"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="147"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="148"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="150"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="152"/>
        <source>Defaults</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="153"/>
        <source>The well-known public servers</source>
        <translation>知名的公共服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="218"/>
        <source>This server is in the list already.</source>
        <translation>该服务器已在列表中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="271"/>
        <source>Electrum servers (light, SPV-checked)</source>
        <translation>Electrum 服务器（轻钱包，SPV 校验）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="273"/>
        <source>My own {name} Core node</source>
        <translation>我自己的 {name} Core 节点</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="294"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="307"/>
        <source>Leave the address empty to trade without this chain.</source>
        <translation>地址留空则不在此链上交易。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="315"/>
        <source>Checking the connection…</source>
        <translation>正在检查连接…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="320"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="328"/>
        <source>Check the new certificate…</source>
        <translation>检查新证书…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="348"/>
        <source>Add at least one Electrum server, or use your own node.</source>
        <translation>请至少添加一个 Electrum 服务器，或使用您自己的节点。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="371"/>
        <source>{server} was refused: its certificate changed since first use.</source>
        <translation>{server} 已被拒绝：其证书自首次使用以来已更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="390"/>
        <source>No Electrum server reachable: {detail}</source>
        <translation>无法连接任何 Electrum 服务器：{detail}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="393"/>
        <source>Connected to {server}, block {height} (headers checked), {servers} server(s) listed</source>
        <translation>已连接 {server}，区块 {height}（区块头已校验），列表中共 {servers} 个服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="398"/>
        <source>{n} dropped for a false answer</source>
        <translation>{n} 个因错误应答被弃用</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="404"/>
        <source>Node unreachable: {detail}</source>
        <translation>无法连接节点：{detail}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="408"/>
        <source>Node reachable, block {height}, still syncing (initial download)</source>
        <translation>节点可连接，区块 {height}，仍在同步（初始下载）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="412"/>
        <source>Node reachable, block {height}, last block {hours} h ago</source>
        <translation>节点可连接，区块 {height}，最新区块在 {hours} 小时前</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="415"/>
        <source>Node reachable, block {height}, synced</source>
        <translation>节点可连接，区块 {height}，已同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="418"/>
        <source>No backend configured: this chain cannot be traded.</source>
        <translation>未配置后端：无法在此链上交易。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="113"/>
        <location filename="../../app/ui/settings_dialog.py" line="117"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="121"/>
        <source>This wallet is on {network}; one data directory = one network.</source>
        <translation>此钱包位于{network}；一个数据目录 = 一个网络。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="150"/>
        <source>DEX server</source>
        <translation>DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="160"/>
        <source>A new server is used at once, once no order is open and no swap is active on the current one.</source>
        <translation>当前服务器上没有未完成订单和进行中的兑换时，新服务器会立即生效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="168"/>
        <source>Chain backends</source>
        <translation>区块链节点</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="296"/>
        <source>user</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="297"/>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chain_settings.py" line="305"/>
        <source>Login</source>
        <translation>登录信息</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="172"/>
        <source>Per chain: Electrum servers (light: no download, every confirmation checked against the chain&apos;s proof of work; the servers see your addresses) or your own node.</source>
        <translation>按链选择：Electrum 服务器（轻钱包：无需下载，每个确认都用链的工作量证明核验；服务器能看到您的地址）或您自己的节点。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="195"/>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="206"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="207"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="209"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="210"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="212"/>
        <source>The new language is used from the next start.</source>
        <translation>新的语言将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="138"/>
        <source>Safety limits</source>
        <translation>安全限制</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="225"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="228"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="341"/>
        <source>Could not save the settings: {error}</source>
        <translation>无法保存设置：{error}</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../app/ui/status.py" line="46"/>
        <source>DEX: connecting…</source>
        <translation>DEX：连接中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="51"/>
        <source>{0}: connecting…</source>
        <translation>{0}：连接中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="63"/>
        <source>DEX: reconnected</source>
        <translation>DEX：已重新连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="65"/>
        <source>DEX: connected</source>
        <translation>DEX：已连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="69"/>
        <source>Reconnected to the DEX server</source>
        <translation>已重新连接到 DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="73"/>
        <source>DEX: cannot connect, retrying</source>
        <translation>DEX：无法连接，正在重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="81"/>
        <source>Connection to the DEX server lost; reconnecting in the background. Swaps keep settling on chain.</source>
        <translation>与 DEX 服务器的连接已断开，正在后台重连。兑换会继续在链上结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="88"/>
        <source>DEX: reconnecting…</source>
        <translation>DEX：重新连接中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="89"/>
        <source>Last drop {0}: {1}</source>
        <translation>上次断开 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="97"/>
        <source>DEX: switching to {0}…</source>
        <translation>DEX：正在切换到 {0}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="101"/>
        <source>DEX: no server configured</source>
        <translation>DEX：未配置服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="101"/>
        <source>Enter a DEX server in Settings</source>
        <translation>请在“设置”中输入 DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="107"/>
        <source>DEX: registering…</source>
        <translation>DEX：注册中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="108"/>
        <source>Paying the registration fee; waiting for its confirmation</source>
        <translation>正在支付注册费，等待确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="125"/>
        <source>A server&apos;s certificate changed: see Settings</source>
        <translation>某个服务器的证书已更改：请查看设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="126"/>
        <source>{0}: block {1} · light</source>
        <translation>{0}：区块 {1} · 轻钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="128"/>
        <source>{0}: block {1} · node behind</source>
        <translation>{0}：区块 {1} · 节点落后</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="130"/>
        <location filename="../../app/ui/status.py" line="135"/>
        <source>{0}: block {1}</source>
        <translation>{0}：区块 {1}</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="137"/>
        <source>{0}: no node configured</source>
        <translation>{0}：未配置节点</translation>
    </message>
    <message>
        <location filename="../../app/ui/status.py" line="121"/>
        <location filename="../../app/ui/status.py" line="139"/>
        <source>{0}: offline, retrying</source>
        <translation>{0}：离线，正在重试</translation>
    </message>
</context>
<context>
    <name>StepTracker</name>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="16"/>
        <source>under a minute</source>
        <translation>不到一分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="19"/>
        <source>about {n} min</source>
        <translation>约 {n} 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="20"/>
        <source>about {n} h</source>
        <translation>约 {n} 小时</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="27"/>
        <source>{have} of {need} confirmations on {chain}</source>
        <translation>{chain} 上已确认 {have}/{need}</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="58"/>
        <source>Matched</source>
        <translation>已撮合</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="59"/>
        <source>Our init</source>
        <translation>我方锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="60"/>
        <source>Their init</source>
        <translation>对方锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="61"/>
        <source>Redeemed</source>
        <translation>已赎回</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="62"/>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../../app/ui/swap_tracker.py" line="63"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>SwapCard</name>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="88"/>
        <source>Refund now</source>
        <translation>立即退款</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="91"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="95"/>
        <source>Save what is needed to finish this swap elsewhere (signed refund included: keep it private)</source>
        <translation>保存在别处完成此兑换所需的内容（含已签名的退款交易：请妥善保管）</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="112"/>
        <source>Our refund time</source>
        <translation>我方退款时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="113"/>
        <source>Their refund time</source>
        <translation>对方退款时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="114"/>
        <source>Reveal margin</source>
        <translation>公开秘密余量</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="115"/>
        <source>Fund margin</source>
        <translation>注资余量</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="116"/>
        <source>Their contract needs</source>
        <translation>对方合约需要</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="133"/>
        <source>From then our contract can be refunded to us.</source>
        <translation>从此时起，我方合约可以退款给我们。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="137"/>
        <source>From then the other side can refund its contract.</source>
        <translation>从此时起，对方可以退回其合约。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="142"/>
        <source>We reveal our secret only while the taker&apos;s refund time is at least this far ahead of its chain&apos;s time.</source>
        <translation>仅当吃单方的退款时间比其链上时间至少提前这么久时，我们才公开秘密。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="147"/>
        <source>The maker reveals its secret only while our refund time is at least this far ahead of our chain&apos;s time.</source>
        <translation>仅当我方退款时间比我方链上时间至少提前这么久时，挂单方才公开其秘密。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="153"/>
        <source>The taker funds only while its refund time is at least this far ahead.</source>
        <translation>仅当吃单方的退款时间至少还有这么久时，吃单方才注资。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="155"/>
        <source>We fund only while our refund time is at least this far ahead.</source>
        <translation>仅当我方退款时间至少还有这么久时，我们才注资。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="158"/>
        <source>{n} conf. on {chain}</source>
        <translation>{chain} 上 {n} 个确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="161"/>
        <source>Confirmations of the other side&apos;s contract before we act on it.</source>
        <translation>我方采取行动前，对方合约需要的确认数。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="174"/>
        <source>Pay {pay} · receive {get}</source>
        <translation>支付 {pay} · 收到 {get}</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="175"/>
        <source>maker</source>
        <translation>挂单方</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="175"/>
        <source>taker</source>
        <translation>吃单方</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="187"/>
        <source>Our init: {tx} ({n} conf.)</source>
        <translation>我方锁定：{tx}（{n} 个确认）</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="191"/>
        <source>Our init: not yet</source>
        <translation>我方锁定：尚未</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="194"/>
        <source>Their init: {tx} ({n} conf.)</source>
        <translation>对方锁定：{tx}（{n} 个确认）</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="198"/>
        <source>Their init: not yet</source>
        <translation>对方锁定：尚未</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="211"/>
        <source>Refund possible now</source>
        <translation>现在可以退款</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="213"/>
        <source>Refund time in {t}</source>
        <translation>距退款时间 {t}</translation>
    </message>
</context>
<context>
    <name>SwapsView</name>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="239"/>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="242"/>
        <source>No swap in progress. When one of your orders is matched, its swap settles here by itself.</source>
        <translation>没有进行中的兑换。您的订单撮合后，兑换会在这里自动结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="259"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="261"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="269"/>
        <source>Finished</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="270"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="271"/>
        <source>Paid</source>
        <translation>支付</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="272"/>
        <source>Received</source>
        <translation>收到</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="274"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="275"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="273"/>
        <source>Redeem fee</source>
        <translation>赎回手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="346"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="347"/>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="348"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="368"/>
        <source>maker</source>
        <translation>挂单方</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="368"/>
        <source>taker</source>
        <translation>吃单方</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="380"/>
        <source>Contract {amount} {asset}, less the redeem fee</source>
        <translation>合约金额 {amount} {asset}，扣除赎回手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="401"/>
        <source>Export swap</source>
        <translation>导出兑换</translation>
    </message>
    <message>
        <location filename="../../app/ui/swaps_view.py" line="408"/>
        <source>Export swap history</source>
        <translation>导出兑换历史</translation>
    </message>
</context>
<context>
    <name>SyncBar</name>
    <message>
        <location filename="../../app/ui/sync_bar.py" line="52"/>
        <source>Restoring the wallet: scanning {asset} change addresses {first}–{last} ({n} checked)</source>
        <translation>正在恢复钱包：扫描 {asset} 找零地址 {first}–{last}（已检查 {n} 个）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_bar.py" line="57"/>
        <source>Restoring the wallet: scanning {asset} receive addresses {first}–{last} ({n} checked)</source>
        <translation>正在恢复钱包：扫描 {asset} 收款地址 {first}–{last}（已检查 {n} 个）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_bar.py" line="71"/>
        <source>Reading the {asset} wallet from its node: {n} addresses…</source>
        <translation>正在从节点读取 {asset} 钱包：{n} 个地址…</translation>
    </message>
</context>
<context>
    <name>TradeTab</name>
    <message>
        <location filename="../../app/ui/trade_tab.py" line="92"/>
        <source>Connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/trade_tab.py" line="96"/>
        <source>Best bid</source>
        <translation>最高买价</translation>
    </message>
    <message>
        <location filename="../../app/ui/trade_tab.py" line="97"/>
        <source>Best ask</source>
        <translation>最低卖价</translation>
    </message>
    <message>
        <location filename="../../app/ui/trade_tab.py" line="98"/>
        <source>Spread</source>
        <translation>价差</translation>
    </message>
    <message>
        <location filename="../../app/ui/trade_tab.py" line="99"/>
        <source>Mid price</source>
        <translation>中间价</translation>
    </message>
    <message>
        <location filename="../../app/ui/trade_tab.py" line="120"/>
        <source>Markets</source>
        <translation>市场</translation>
    </message>
</context>
<context>
    <name>TradesView</name>
    <message>
        <location filename="../../app/ui/trades_view.py" line="137"/>
        <source>Recent trades</source>
        <translation>最近成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/trades_view.py" line="167"/>
        <source>Recent trades  {base}/{quote}</source>
        <translation>最近成交  {base}/{quote}</translation>
    </message>
</context>
<context>
    <name>TxList</name>
    <message>
        <location filename="../../app/ui/tx_list.py" line="51"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="52"/>
        <source>Registration fee</source>
        <translation>注册费</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="53"/>
        <source>Received</source>
        <translation>已收到</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="62"/>
        <source>Pending</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="64"/>
        <source>{n} confirmations</source>
        <translation>{n} 个确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="66"/>
        <source>1 confirmation</source>
        <translation>1 个确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="89"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="90"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="91"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="92"/>
        <source>Fee</source>
        <translation>手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="93"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="94"/>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
</context>
<context>
    <name>TxListView</name>
    <message>
        <location filename="../../app/ui/tx_list.py" line="143"/>
        <source>Transactions</source>
        <translation>交易记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/tx_list.py" line="145"/>
        <source>No transactions yet</source>
        <translation>暂无交易</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="112"/>
        <source>Unlock Cambio</source>
        <translation>解锁 Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="115"/>
        <source>Welcome back</source>
        <translation>欢迎回来</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="116"/>
        <source>Enter your password to unlock your wallet.</source>
        <translation>输入密码以解锁钱包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="119"/>
        <location filename="../../app/ui/unlock_view.py" line="152"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="121"/>
        <source>Passphrase</source>
        <translation>附加密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="124"/>
        <source>BIP39 passphrase</source>
        <translation>BIP39 附加密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="127"/>
        <source>Remember the password in the system keyring</source>
        <translation>在系统密钥环中记住密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="131"/>
        <source>Checking the system keyring…</source>
        <translation>正在检查系统密钥环…</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="133"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="136"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="204"/>
        <source>This wallet is protected by a passphrase: enter it too.</source>
        <translation>此钱包受附加密码保护：请一并输入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="209"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="215"/>
        <source>Wrong password. Please try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
</context>
<context>
    <name>Wizard</name>
    <message>
        <location filename="../../app/ui/forms.py" line="92"/>
        <source>Did you mean: {words}?</source>
        <translation>您是否想输入：{words}？</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="94"/>
        <source>Word #{n} does not match your recovery words.</source>
        <translation>第 {n} 个单词与您的助记词不符。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="95"/>
        <source>Word {n} is missing.</source>
        <translation>缺少第 {n} 个单词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="96"/>
        <source>Word {n} (“{word}”) is not in the word list.</source>
        <translation>第 {n} 个单词（“{word}”）不在单词表中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="97"/>
        <source>Word {n} (“{word}”) is not a complete word.</source>
        <translation>第 {n} 个单词（“{word}”）不是完整的单词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="100"/>
        <source>These words do not form a valid recovery phrase: one is wrong or out of order.</source>
        <translation>这些单词不构成有效的助记词：其中有单词错误或顺序不对。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="104"/>
        <source>Use at least {n} characters.</source>
        <translation>请至少使用 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="105"/>
        <source>The two passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="106"/>
        <source>Enter the server&apos;s address.</source>
        <translation>请输入服务器地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="107"/>
        <source>The address must start with wss://</source>
        <translation>地址必须以 wss:// 开头</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="108"/>
        <source>Use wss:// (plain ws:// only works for this computer).</source>
        <translation>请使用 wss://（不加密的 ws:// 仅适用于本机）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="109"/>
        <source>This is not a valid server address.</source>
        <translation>这不是有效的服务器地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="110"/>
        <source>{chain}: enter at least one Electrum server.</source>
        <translation>{chain}：请至少输入一个 Electrum 服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="111"/>
        <source>{chain}: “{word}” is not an Electrum server; use ssl://host:port or tcp://host:port.</source>
        <translation>{chain}：“{word}”不是 Electrum 服务器地址；请使用 ssl://主机:端口 或 tcp://主机:端口。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="116"/>
        <source>{chain}: use a node address like http://127.0.0.1:9332</source>
        <translation>{chain}：请使用类似 http://127.0.0.1:9332 的节点地址</translation>
    </message>
</context>
<context>
    <name>WizardDialog</name>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="54"/>
        <source>Set up Cambio</source>
        <translation>设置 Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="66"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="69"/>
        <location filename="../../app/ui/wizard_view.py" line="365"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="136"/>
        <source>Mainnet: real money</source>
        <translation>主网：真钱</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="138"/>
        <source>Bitcoin and Litecoin mainnet. Every trade moves real coins worth real money; a mistake can lose them.</source>
        <translation>比特币和莱特币主网。每笔交易都转移有真实价值的币；一个错误就可能让它们丢失。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="144"/>
        <source>Testnet</source>
        <translation>测试网</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="146"/>
        <source>Bitcoin testnet4 and Litecoin testnet: public test networks whose coins are worth nothing. For practice.</source>
        <translation>比特币 testnet4 和莱特币测试网：公开的测试网络，其中的币没有价值。用于练习。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="152"/>
        <source>Local simnet</source>
        <translation>本地模拟网</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="153"/>
        <source>Private test chains on this computer, for trying Cambio out.</source>
        <translation>本机上的私有测试链，用于试用 Cambio。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="160"/>
        <source>The choice is kept in this data directory: one data directory holds one network. For another network, start Cambio with another data directory.</source>
        <translation>此选择保存在该数据目录中：一个数据目录只对应一个网络。要使用其他网络，请用另一个数据目录启动 Cambio。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="176"/>
        <source>Create a new wallet</source>
        <translation>创建新钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="177"/>
        <source>Cambio makes 12 new recovery words. You write them down on paper.</source>
        <translation>Cambio 会生成 12 个新的助记词，请把它们抄写在纸上。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="181"/>
        <source>Restore a wallet</source>
        <translation>恢复钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="182"/>
        <source>Type the 12 recovery words of a wallet you already have.</source>
        <translation>输入您已有钱包的 12 个助记词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="197"/>
        <source>Anyone who sees these words can take your coins. Never type them into a website or share a photo of them.</source>
        <translation>任何看到这些单词的人都能拿走您的币。切勿在任何网站中输入它们，也不要分享它们的照片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="256"/>
        <source>word {n}</source>
        <translation>第 {n} 个单词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="269"/>
        <source>My words are protected by a passphrase (advanced)</source>
        <translation>我的助记词有附加密码保护（高级）</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="273"/>
        <source>BIP39 passphrase</source>
        <translation>BIP39 附加密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="287"/>
        <source>Choose a network</source>
        <translation>选择网络</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="289"/>
        <source>Trade coins peer to peer with atomic swaps. Your keys never leave this computer. First choose where this wallet trades.</source>
        <translation>通过原子交换点对点交易数字货币。您的密钥永远不会离开这台电脑。首先选择此钱包在哪个网络交易。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="295"/>
        <source>Welcome to Cambio</source>
        <translation>欢迎使用 Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="297"/>
        <source>Trade coins peer to peer with atomic swaps. Your keys never leave this computer. Let&apos;s set up your wallet.</source>
        <translation>通过原子兑换点对点交易数字货币，您的密钥永远不会离开这台电脑。现在来设置您的钱包吧。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="302"/>
        <source>Your recovery words</source>
        <translation>您的助记词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="304"/>
        <source>Write these 12 words on paper, in this order, and keep them safe. They are the only way to restore your wallet.</source>
        <translation>请按顺序把这 12 个单词抄写在纸上并妥善保管。它们是恢复钱包的唯一方式。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="309"/>
        <source>Check your words</source>
        <translation>核对助记词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="310"/>
        <source>Type these words from your paper to show you have them.</source>
        <translation>请根据纸上的记录输入以下单词，以确认您已保存好。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="313"/>
        <source>Enter your recovery words</source>
        <translation>输入您的助记词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="315"/>
        <source>Type each word; suggestions come from the word list. You can also paste all 12 into the first field.</source>
        <translation>逐个输入单词，系统会根据单词表给出提示。也可以把 12 个单词一起粘贴到第一个输入框。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="320"/>
        <source>Choose a password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="322"/>
        <source>It encrypts the wallet on this computer and unlocks Cambio at start. Your recovery words still restore it anywhere.</source>
        <translation>密码用于加密这台电脑上的钱包，并在启动时解锁 Cambio。助记词仍可在任何地方恢复钱包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="327"/>
        <source>Connect to the chains</source>
        <translation>连接区块链</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="329"/>
        <source>How Cambio reads the Bitcoin and Litecoin chains and sends your transactions.</source>
        <translation>Cambio 如何读取比特币和莱特币区块链并发送您的交易。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="333"/>
        <source>Choose a DEX server</source>
        <translation>选择 DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="334"/>
        <source>The server matches orders; it never holds your coins.</source>
        <translation>服务器只负责撮合订单，从不持有您的币。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="337"/>
        <source>The server matches orders; it never holds your coins. Pick the one you used before.</source>
        <translation>服务器只负责撮合订单，从不持有您的币。请选择您之前使用的服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="351"/>
        <source>Step {n} of {total}</source>
        <translation>第 {n} 步，共 {total} 步</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="360"/>
        <source>I wrote them down</source>
        <translation>我已抄写好</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="361"/>
        <source>Restore wallet</source>
        <translation>恢复钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="363"/>
        <source>Create wallet</source>
        <translation>创建钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="396"/>
        <source>Word #{n}</source>
        <translation>第 {n} 个单词</translation>
    </message>
</context>
<context>
    <name>launch</name>
    <message>
        <location filename="../../app/ui/launch.py" line="166"/>
        <source>Another Cambio is already running with this wallet and settling its swaps. Close it first.</source>
        <translation>另一个 Cambio 正在使用此钱包并结算其兑换。请先关闭它。</translation>
    </message>
</context>
</TS>
