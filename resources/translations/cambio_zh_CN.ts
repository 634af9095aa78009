<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AssetCard</name>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="69"/>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="75"/>
        <source>Unconfirmed</source>
        <translation>未确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="76"/>
        <source>Locked in orders and swaps</source>
        <translation>订单和兑换中锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="84"/>
        <source>Receive address</source>
        <translation>收款地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="91"/>
        <source>Copy address</source>
        <translation>复制地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="102"/>
        <source> · simulated by a Litecoin regtest chain</source>
        <translation> · 由莱特币 regtest 链模拟</translation>
    </message>
    <message>
        <location filename="../../app/ui/wallet_view.py" line="113"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>BookModel</name>
    <message>
        <location filename="../../app/ui/book_model.py" line="106"/>
        <source>Price ({quote})</source>
        <translation>价格 ({quote})</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_model.py" line="107"/>
        <source>Amount ({base})</source>
        <translation>数量 ({base})</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_model.py" line="108"/>
        <source>Total ({base})</source>
        <translation>累计 ({base})</translation>
    </message>
</context>
<context>
    <name>BookView</name>
    <message>
        <location filename="../../app/ui/book_view.py" line="153"/>
        <source>Order book</source>
        <translation>订单簿</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="159"/>
        <source>Mid price: halfway between the best bid and the best ask</source>
        <translation>中间价：最高买价与最低卖价的中点</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="195"/>
        <source>Order book  {base}/{quote}</source>
        <translation>订单簿  {base}/{quote}</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="197"/>
        <source>{quote} mid</source>
        <translation>{quote} 中间价</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="213"/>
        <source>No spread: one side is empty</source>
        <translation>无价差：一侧没有订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/book_view.py" line="218"/>
        <source>Spread {spread} ({pct})</source>
        <translation>价差 {spread}（{pct}）</translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="127"/>
        <source>Confirm order</source>
        <translation>确认订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="132"/>
        <source>Buy</source>
        <translation>买入</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="132"/>
        <source>Sell</source>
        <translation>卖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="134"/>
        <source>{verb} {qty} {base} at {price} {quote}</source>
        <translation>以 {price} {quote} 的价格{verb} {qty} {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="142"/>
        <source>Buy {base} with {qty} {quote} at market</source>
        <translation>以市价用 {qty} {quote} 买入 {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="146"/>
        <source>Sell {qty} {base} at market</source>
        <translation>以市价卖出 {qty} {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="153"/>
        <source>Standing (stays on the book until filled or cancelled)</source>
        <translation>挂单（留在订单簿上，直到成交或取消）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="155"/>
        <source>Immediate (this match cycle only)</source>
        <translation>即时（仅限本轮撮合）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="158"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="158"/>
        <source>Limit</source>
        <translation>限价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="158"/>
        <source>Market</source>
        <translation>市价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="159"/>
        <source>Time in force</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="160"/>
        <source>Spends</source>
        <translation>花费</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="161"/>
        <source>Max. fees</source>
        <translation>最高手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="162"/>
        <source>Funding locked</source>
        <translation>锁定资金</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="175"/>
        <source>Fees are the worst case: one swap transaction per lot, plus {coins} funding input(s). The coins stay locked until the order is filled or cancelled; each match settles as an atomic swap that the app must be running to complete.</source>
        <translation>手续费按最坏情况估算：每手一笔兑换交易，另加 {coins} 个资金输入。在订单成交或取消之前，这些币会一直被锁定；每次撮合都以原子兑换结算，完成结算时应用必须保持运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="186"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="27"/>
        <source>Wallet</source>
        <translation>钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="32"/>
        <source>{0}: connecting…</source>
        <translation>{0}：正在连接…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="60"/>
        <source>{0}: no node configured</source>
        <translation>{0}：未配置节点</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="64"/>
        <source>{0}: offline, retrying</source>
        <translation>{0}：离线，正在重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="67"/>
        <source>{0}: block {1}</source>
        <translation>{0}：区块 {1}</translation>
    </message>
</context>
<context>
    <name>OrderForm</name>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="86"/>
        <source>Not connected to the DEX server: orders can be placed once the connection is back.</source>
        <translation>未连接到 DEX 服务器：连接恢复后即可下单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="90"/>
        <source>Enter a price.</source>
        <translation>请输入价格。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="91"/>
        <source>The price must be a multiple of {step} {quote}: try {low} or {high}.</source>
        <translation>价格必须是 {step} {quote} 的整数倍：可以试试 {low} 或 {high}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="94"/>
        <source>Enter an amount.</source>
        <translation>请输入数量。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="95"/>
        <source>The smallest order is one lot: {lot} {base}.</source>
        <translation>最小订单为一手：{lot} {base}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="96"/>
        <source>The amount must be a whole number of lots of {lot} {base}: try {low} or {high}.</source>
        <translation>数量必须是整手（每手 {lot} {base}）：可以试试 {low} 或 {high}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="100"/>
        <source>Nobody is selling: a market buy needs a standing sell order.</source>
        <translation>当前没有卖单：市价买入需要挂单中的卖单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="103"/>
        <source>A market buy must spend at least {need} {quote} (the buy buffer times one lot at the best ask).</source>
        <translation>市价买入至少需要花费 {need} {quote}（买入缓冲系数乘以最优卖价下的一手）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_widgets.py" line="108"/>
        <source>Insufficient funds: with fees this order needs {need} {asset}; {have} {asset} can back orders.</source>
        <translation>资金不足：含手续费此订单需要 {need} {asset}；可用于下单的只有 {have} {asset}。</translation>
    </message>
</context>
<context>
    <name>OrderFormView</name>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="88"/>
        <location filename="../../app/ui/order_form_view.py" line="107"/>
        <source>Buy</source>
        <translation>买入</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="88"/>
        <source>Sell</source>
        <translation>卖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="90"/>
        <source>Limit</source>
        <translation>限价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="90"/>
        <source>Market</source>
        <translation>市价</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="92"/>
        <source>Standing</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="93"/>
        <source>Immediate</source>
        <translation>即时</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="94"/>
        <source>Standing orders rest on the book until filled or cancelled; immediate ones live for one match cycle.</source>
        <translation>挂单会留在订单簿上，直到成交或取消；即时订单只在一轮撮合中有效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="99"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="100"/>
        <source>Amount</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="101"/>
        <source>Max</source>
        <translation>最大</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="158"/>
        <source>Total</source>
        <translation>总计</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="158"/>
        <source>Max. fees</source>
        <translation>最高手续费</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="158"/>
        <source>Funding needed</source>
        <translation>所需资金</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="159"/>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="164"/>
        <source>Worst case (protocol §7): one swap transaction per lot plus one input per funding coin, at the server&apos;s fee rate.</source>
        <translation>最坏情况（协议 §7）：按服务器的费率，每手一笔兑换交易，每个资金币一个输入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="175"/>
        <source>One step down</source>
        <translation>下调一档</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="176"/>
        <source>One step up</source>
        <translation>上调一档</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="273"/>
        <source>Best available</source>
        <translation>最优价格</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="274"/>
        <source>Price ({quote} per {base})</source>
        <translation>价格（每 {base} 多少 {quote}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="275"/>
        <source>Spend ({quote})</source>
        <translation>花费（{quote}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="276"/>
        <source>Amount ({base})</source>
        <translation>数量（{base}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="284"/>
        <source>Buy {base}</source>
        <translation>买入 {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="284"/>
        <source>Sell {base}</source>
        <translation>卖出 {base}</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="293"/>
        <source>Sized in {quote}; at least the buy buffer times one lot</source>
        <translation>以 {quote} 计量；至少为买入缓冲倍数乘以一手</translation>
    </message>
    <message>
        <location filename="../../app/ui/order_form_view.py" line="297"/>
        <source>= {lots} lots · 1 lot = {lot} {base}</source>
        <translation>= {lots} 手 · 1 手 = {lot} {base}</translation>
    </message>
</context>
<context>
    <name>PasswordPage</name>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="39"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="40"/>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="50"/>
        <source>Remember the password in the system keyring</source>
        <translation>在系统密钥环中记住密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="53"/>
        <source>Without a keyring Cambio asks for the password at every start. It is never written to disk in plain text.</source>
        <translation>没有密钥环时，Cambio 每次启动都会询问密码。密码绝不会以明文写入磁盘。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="63"/>
        <source>Weak</source>
        <translation>弱</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="63"/>
        <source>Fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="64"/>
        <source>Good</source>
        <translation>良好</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="64"/>
        <source>Strong</source>
        <translation>强</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="78"/>
        <source>Local simnet (for trying Cambio out)</source>
        <translation>本地模拟网络（用于试用 Cambio）</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="79"/>
        <source>Another DEX server</source>
        <translation>其他 DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_pages.py" line="99"/>
        <source>You can change the server later in Settings.</source>
        <translation>之后可以在“设置”中更改服务器。</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="68"/>
        <source>Unlock Cambio</source>
        <translation>解锁 Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="72"/>
        <source>Welcome back</source>
        <translation>欢迎回来</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="73"/>
        <source>Enter your password to unlock your wallet.</source>
        <translation>输入密码以解锁钱包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="76"/>
        <location filename="../../app/ui/unlock_view.py" line="105"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="78"/>
        <source>Passphrase</source>
        <translation>附加密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="81"/>
        <source>BIP39 passphrase</source>
        <translation>BIP39 附加密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="84"/>
        <source>Remember the password in the system keyring</source>
        <translation>在系统密钥环中记住密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="87"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="90"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="123"/>
        <source>This wallet is protected by a passphrase: enter it too.</source>
        <translation>此钱包受附加密码保护：请一并输入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="128"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock_view.py" line="135"/>
        <source>Wrong password. Please try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
</context>
<context>
    <name>Wizard</name>
    <message>
        <location filename="../../app/ui/forms.py" line="88"/>
        <source>Did you mean: {words}?</source>
        <translation>您是否想输入：{words}？</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="90"/>
        <source>Word #{n} does not match your recovery words.</source>
        <translation>第 {n} 个单词与您的助记词不符。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="91"/>
        <source>Word {n} is missing.</source>
        <translation>缺少第 {n} 个单词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="92"/>
        <source>Word {n} (“{word}”) is not in the word list.</source>
        <translation>第 {n} 个单词（“{word}”）不在单词表中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="93"/>
        <source>Word {n} (“{word}”) is not a complete word.</source>
        <translation>第 {n} 个单词（“{word}”）不是完整的单词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="95"/>
        <source>These words do not form a valid recovery phrase: one is wrong or out of order.</source>
        <translation>这些单词不构成有效的助记词：其中有单词错误或顺序不对。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="97"/>
        <source>Use at least {n} characters.</source>
        <translation>请至少使用 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="98"/>
        <source>The two passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="99"/>
        <source>Enter the server&apos;s address.</source>
        <translation>请输入服务器地址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="100"/>
        <source>The address must start with wss://</source>
        <translation>地址必须以 wss:// 开头</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="101"/>
        <source>Use wss:// (plain ws:// only works for this computer).</source>
        <translation>请使用 wss://（不加密的 ws:// 仅适用于本机）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/forms.py" line="102"/>
        <source>This is not a valid server address.</source>
        <translation>这不是有效的服务器地址。</translation>
    </message>
</context>
<context>
    <name>WizardDialog</name>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="60"/>
        <source>Set up Cambio</source>
        <translation>设置 Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="73"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="76"/>
        <location filename="../../app/ui/wizard_view.py" line="277"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="137"/>
        <source>Create a new wallet</source>
        <translation>创建新钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="138"/>
        <source>Cambio makes 12 new recovery words. You write them down on paper.</source>
        <translation>Cambio 会生成 12 个新的助记词，请把它们抄写在纸上。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="141"/>
        <source>Restore a wallet</source>
        <translation>恢复钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="142"/>
        <source>Type the 12 recovery words of a wallet you already have.</source>
        <translation>输入您已有钱包的 12 个助记词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="154"/>
        <source>Anyone who sees these words can take your coins. Never type them into a website or share a photo of them.</source>
        <translation>任何看到这些单词的人都能拿走您的币。切勿在任何网站中输入它们，也不要分享它们的照片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="210"/>
        <source>word {n}</source>
        <translation>第 {n} 个单词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="223"/>
        <source>My words are protected by a passphrase (advanced)</source>
        <translation>我的助记词有附加密码保护（高级）</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="226"/>
        <source>BIP39 passphrase</source>
        <translation>BIP39 附加密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="239"/>
        <source>Welcome to Cambio</source>
        <translation>欢迎使用 Cambio</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="240"/>
        <source>Trade coins peer to peer with atomic swaps. Your keys never leave this computer. Let&apos;s set up your wallet.</source>
        <translation>通过原子兑换点对点交易数字货币，您的密钥永远不会离开这台电脑。现在来设置您的钱包吧。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="242"/>
        <source>Your recovery words</source>
        <translation>您的助记词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="243"/>
        <source>Write these 12 words on paper, in this order, and keep them safe. They are the only way to restore your wallet.</source>
        <translation>请按顺序把这 12 个单词抄写在纸上并妥善保管。它们是恢复钱包的唯一方式。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="245"/>
        <source>Check your words</source>
        <translation>核对助记词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="246"/>
        <source>Type these words from your paper to show you have them.</source>
        <translation>请根据纸上的记录输入以下单词，以确认您已保存好。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="248"/>
        <source>Enter your recovery words</source>
        <translation>输入您的助记词</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="249"/>
        <source>Type each word; suggestions come from the word list. You can also paste all 12 into the first field.</source>
        <translation>逐个输入单词，系统会根据单词表给出提示。也可以把 12 个单词一起粘贴到第一个输入框。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="251"/>
        <source>Choose a password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="252"/>
        <source>It encrypts the wallet on this computer and unlocks Cambio at start. Your recovery words still restore it anywhere.</source>
        <translation>密码用于加密这台电脑上的钱包，并在启动时解锁 Cambio。助记词仍可在任何地方恢复钱包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="254"/>
        <source>Choose a DEX server</source>
        <translation>选择 DEX 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="255"/>
        <source>The server matches orders; it never holds your coins.</source>
        <translation>服务器只负责撮合订单，从不持有您的币。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="256"/>
        <source>The server matches orders; it never holds your coins. Pick the one you used before.</source>
        <translation>服务器只负责撮合订单，从不持有您的币。请选择您之前使用的服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="267"/>
        <source>Step {n} of {total}</source>
        <translation>第 {n} 步，共 {total} 步</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="274"/>
        <source>I wrote them down</source>
        <translation>我已抄写好</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="275"/>
        <source>Restore wallet</source>
        <translation>恢复钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="276"/>
        <source>Create wallet</source>
        <translation>创建钱包</translation>
    </message>
    <message>
        <location filename="../../app/ui/wizard_view.py" line="307"/>
        <source>Word #{n}</source>
        <translation>第 {n} 个单词</translation>
    </message>
</context>
</TS>
